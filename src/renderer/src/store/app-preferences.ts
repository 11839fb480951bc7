/**
 * The app's preferences store, its backend chosen once: the settings file when the desktop
 * bridge exists, localStorage in the browser.
 */
import { useStore as useZustand } from 'zustand'
import { createBridgePreferences } from './preferences-bridge'
import { createLocalPreferences, type KeyValueStorage } from './preferences-local'
import { createPreferencesStore, type PreferencesBackend, type PreferencesState } from './preferences'

function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function chooseBackend(
  bridge = typeof window === 'undefined' ? undefined : window.parley
): PreferencesBackend {
  return bridge ? createBridgePreferences(bridge) : createLocalPreferences(browserStorage())
}

export const appPreferences = createPreferencesStore(chooseBackend())

export function usePreferences<T>(selector: (state: PreferencesState) => T): T {
  return useZustand(appPreferences, selector)
}
