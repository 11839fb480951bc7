/**
 * What becomes of a session when its socket goes: it leaves its rooms' presence at once, stays
 * resumable for its window (saved to the store, so a restart keeps it), and when the window
 * lapses its nick is free again and its row deleted.
 */
import type { Logger } from 'pino'
import type { Broker } from '../broker'
import type { Session, SessionRegistry } from '../session-registry'
import type { Store } from '../store'
import type { Connection } from './connection'

export interface SessionLifetime {
  /** The socket is gone: leaves room presence at once; the session stays resumable. Idempotent. */
  detach(connection: Connection): void
  /** Writes the session's user, rooms and connectedness to the store (batched). */
  persist(session: Session<Connection>): void
  /** A session's resume window lapsed (or it was evicted as the oldest dropped one). */
  expired(session: Session<Connection>): void
}

export function createSessionLifetime(
  store: Store,
  broker: Broker<Connection>,
  sessions: SessionRegistry<Connection>,
  logger: Logger
): SessionLifetime {
  function detach(connection: Connection): void {
    if (connection.helloTimer !== undefined) clearTimeout(connection.helloTimer)
    connection.helloTimer = undefined
    const session = connection.session
    if (!session || session.connection !== connection) return
    session.connection = undefined
    broker.detachUser(session.user.id, connection)
    for (const room of session.rooms) {
      broker.leave(room, connection)
      broker.presence(room, 'leave', session.user)
    }
    sessions.dropped(session, expired)
    // Over the dropped-session cap the oldest is evicted at once (this one only with a cap of 0),
    // and expired() has queued its row's deletion already.
    if (sessions.byUserId(session.user.id) === session) persist(session)
  }

  function persist(session: Session<Connection>): void {
    store.saveSession({
      tokenHash: session.tokenHash,
      user: session.user,
      rooms: [...session.rooms],
      droppedAt: session.connection ? null : Date.now()
    })
  }

  function expired(session: Session<Connection>): void {
    broker.releaseNick(session.user)
    store.deleteSession(session.tokenHash)
    logger.debug({ userId: session.user.id, nick: session.user.nick }, 'session expired')
  }

  return { detach, persist, expired }
}
