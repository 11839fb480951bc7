/**
 * The desktop backend: the settings file in the user data dir, through main's `settings:get` and
 * `settings:set`. Main validates every patch with the contract's schema, so this only picks the
 * fields the renderer owns. The session token of each recent server lives here, never in the
 * renderer's storage.
 */
import type { ParleyApi, Settings } from '../../../shared/ipc'
import type { Preferences, PreferencesBackend } from './preferences'

function pick(settings: Settings): Preferences {
  const { nickname, recentServers, theme, notifications } = settings
  return { nickname, recentServers, theme, notifications }
}

export function createBridgePreferences(api: Pick<ParleyApi, 'settings'>): PreferencesBackend {
  return {
    kind: 'desktop',
    load: async () => pick((await api.settings.get()).settings),
    save: async (patch) => pick(await api.settings.set(patch))
  }
}
