/**
 * Where the session of a hello comes from: the one its token names (taken over from an older
 * socket, or from another node of a cluster), a new one for its nick, or, at start, the sessions
 * saved before a restart.
 */
import { CloseCode } from '../../../shared/close-codes'
import { DEFAULT_ROOM, isValidRoomName } from '../../../shared/protocol'
import { isReservedNick } from '../nick-identity'
import { hashToken, newUser, type Session } from '../session-registry'
import type { Connection } from './connection'
import { REASONS, type HubContext } from './hub-context'

export interface SessionSources {
  /** The session `token` names, now this connection's; undefined when it names none. */
  resumed(token: string, connection: Connection): Session<Connection> | undefined
  /** A new session for `nick`, or the reason it cannot have it. */
  fresh(nick: string): Session<Connection> | string
}

export function createSessionSources(ctx: HubContext): SessionSources {
  const { store, broker, sessions, limits, options } = ctx
  restoreSessions(ctx)

  /** Takes `previous` over from its old socket, if it still has one: the others see no presence change. */
  function takeOver(previous: Session<Connection>, connection: Connection): void {
    const stale = previous.connection
    if (!stale) return
    for (const room of previous.rooms) {
      broker.leave(room, stale)
      broker.join(room, connection, previous.user)
    }
    previous.connection = undefined
    ctx.close(stale, CloseCode.SessionReplaced, REASONS.replaced)
  }

  /**
   * In a cluster, the session another node held (it died, or the client moved here): taken over
   * like one restored after a restart, while its resume window lasts.
   */
  function fromAnotherNode(token: string): Session<Connection> | undefined {
    const saved = store.sessionByTokenHash?.(hashToken(token))
    if (!saved || Date.now() - saved.lastLive > limits.sessionResumeMs) return undefined
    const rooms = saved.rooms.filter(isValidRoomName)
    for (const room of rooms) {
      store.ensureRoom(room)
      broker.addRoom(room)
    }
    broker.claimNick(saved.user)
    return sessions.restore(saved.tokenHash, saved.user, rooms)
  }

  /**
   * A new session for `nick`, or the reason it cannot have it: the server's own name and words,
   * or a nick (or look-alike) another user holds — connected, or dropped and still resumable.
   */
  function newSession(nick: string): Session<Connection> | string {
    if (isReservedNick(nick, options.serverName)) return REASONS.nickReserved
    const user = newUser(nick)
    if (!broker.claimNick(user).ok) return REASONS.nickInUse
    const session = sessions.create(user)
    session.rooms.add(DEFAULT_ROOM)
    return session
  }

  return {
    resumed(token, connection) {
      const previous = sessions.byToken(token) ?? fromAnotherNode(token)
      if (previous) takeOver(previous, connection)
      return previous
    },
    fresh: newSession
  }
}

/**
 * A session saved before a restart (or a crash) keeps what is left of its resume window, counted
 * from its drop; one whose socket was open when the process died dropped at the last live stamp.
 * Clients that reconnect in time keep their user id, rooms and DMs across the restart.
 */
function restoreSessions(ctx: HubContext): void {
  const { store, broker, sessions, limits } = ctx
  const restoredAt = Date.now()
  // Oldest drop first, so that over the dropped-session cap the oldest are the ones evicted.
  for (const saved of store.loadSessions().sort((a, b) => a.lastLive - b.lastLive)) {
    const left = limits.sessionResumeMs - (restoredAt - saved.lastLive)
    if (left <= 0) {
      store.deleteSession(saved.tokenHash)
      continue
    }
    const rooms = saved.rooms.filter(isValidRoomName)
    for (const room of rooms) {
      store.ensureRoom(room)
      broker.addRoom(room)
    }
    // Nobody is connected yet, so the claim holds; a later session with the same nick wins it.
    broker.claimNick(saved.user)
    sessions.dropped(sessions.restore(saved.tokenHash, saved.user, rooms), ctx.expired, left)
  }
}
