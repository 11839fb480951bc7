/**
 * The chosen theme as `data-theme` on <html>: base.css sets `color-scheme` from it, and every
 * colour is a `light-dark()` pair, so an explicit choice overrides prefers-color-scheme and
 * "system" (no attribute) follows it.
 */
import type { PreferencesStore, Theme } from '../store/preferences'

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme
  else root.dataset.theme = theme
}

/** Keeps <html> in step with the preference; returns the unsubscribe. */
export function followThemePreference(preferences: PreferencesStore): () => void {
  applyTheme(preferences.getState().theme)
  return preferences.subscribe((state, previous) => {
    if (state.theme !== previous.theme) applyTheme(state.theme)
  })
}
