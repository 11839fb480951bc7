import { appPreferences, usePreferences } from '../store/app-preferences'
import { THEMES, type Theme } from '../store/preferences'
import './preferences-controls.css'

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' }

/** Theme everywhere; the notifications switch only in the desktop app, the one that can notify. */
export function PreferencesControls() {
  const theme = usePreferences((s) => s.theme)
  const notifications = usePreferences((s) => s.notifications)
  const desktop = usePreferences((s) => s.backend === 'desktop')
  const problem = usePreferences((s) => s.problem)
  const set = appPreferences.getState().set

  return (
    <div className="preferences-controls">
      <label className="theme-select">
        Theme
        <select value={theme} onChange={(e) => void set({ theme: e.target.value as Theme })}>
          {THEMES.map((value) => (
            <option key={value} value={value}>
              {THEME_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      {desktop && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={notifications}
            onChange={(e) => void set({ notifications: e.target.checked })}
          />
          Desktop notifications
        </label>
      )}
      {problem && (
        <p className="form-error small" role="alert">
          {problem}
        </p>
      )}
    </div>
  )
}
