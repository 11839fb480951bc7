import { displayServerAddress } from '../engine/server-address'
import { appPreferences, usePreferences } from '../store/app-preferences'

/** Servers this person joined before: one click fills the form, the × forgets one. */
export function RecentServers({ onPick }: { onPick(address: string, nick: string): void }) {
  const recent = usePreferences((s) => s.recentServers)
  if (recent.length === 0) return null
  return (
    <section aria-label="Recent servers" className="recent">
      <h2>Recent servers</h2>
      <ul>
        {recent.map((server) => (
          <li key={server.url}>
            <button
              type="button"
              className="link"
              onClick={() => onPick(displayServerAddress(server.url), server.nick)}
            >
              <bdi>{server.nick}</bdi> @ {displayServerAddress(server.url)}
            </button>
            <button
              type="button"
              className="icon"
              aria-label={`Forget ${displayServerAddress(server.url)}`}
              onClick={() => void appPreferences.getState().forgetServer(server.url)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
