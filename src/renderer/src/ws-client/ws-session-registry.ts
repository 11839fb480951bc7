import type { Clock } from '../engine/clock'
import type { SavedConnection } from './ws-client-storage'
import { mirrorSession, type ViewPatch } from './ws-session-mirror'
import { parseProtocols, WsSession, type BinaryWebSocketFactory } from './ws-session'

export interface SessionRegistryDeps {
  clock: Clock
  WebSocket?: BinaryWebSocketFactory
  /** The connection's settings now, for a session made on first use. */
  configOf(id: string): SavedConnection | undefined
  /** Where a session's reports go: its connection's view. */
  patch(id: string, change: Parameters<ViewPatch>[0]): void
}

/**
 * One WsSession per connection, made on first use and mirrored into its view from then on. Kept
 * outside the store's state: sockets are not data.
 */
export interface SessionRegistry {
  get(id: string): WsSession | undefined
  /** The connection's session, made now if it has none yet. */
  ensure(id: string): WsSession
  /** Closes the connection's socket and forgets its session. */
  remove(id: string): void
}

export function createSessionRegistry(deps: SessionRegistryDeps): SessionRegistry {
  const sessions = new Map<string, { session: WsSession; unmirror: () => void }>()
  return {
    get: (id) => sessions.get(id)?.session,
    ensure(id) {
      const known = sessions.get(id)
      if (known) return known.session
      const config = deps.configOf(id)
      const session = new WsSession({
        url: config?.url ?? '',
        protocols: parseProtocols(config?.protocols ?? ''),
        autoReconnect: config?.autoReconnect ?? false,
        WebSocket: deps.WebSocket,
        clock: deps.clock
      })
      const unmirror = mirrorSession(session, (change) => deps.patch(id, change), deps.clock)
      sessions.set(id, { session, unmirror })
      return session
    },
    remove(id) {
      const known = sessions.get(id)
      if (!known) return
      known.unmirror()
      known.session.dispose()
      sessions.delete(id)
    }
  }
}
