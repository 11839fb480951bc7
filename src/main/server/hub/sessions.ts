/**
 * Sessions: the first `hello` (a new session, or a resume that takes one over), the sessions kept
 * across a restart, and what a connection may say after hello about itself (`hello` again, `ping`).
 */
import { CloseCode } from '../../../shared/close-codes'
import { DEFAULT_ROOM, DM_RESUME_KEY, isValidRoomName, type ClientMessageOf } from '../../../shared/protocol'
import { newUser, type Session } from '../session-registry'
import type { Connection } from './connection'
import type { HandlersFor } from './dispatch'
import type { HistoryReplies } from './history'
import { REASONS, type HubContext } from './hub-context'

/** Longest gap between stamps of the sessions with a socket (see Store.markLiveSessions). */
const LIVE_STAMP_MAX_MS = 15_000

export interface SessionConcern {
  handlers: HandlersFor<'hello' | 'ping'>
  /** The first message of a connection, already parsed as a hello. */
  hello(connection: Connection, message: ClientMessageOf<'hello'>): void
  dispose(): void
}

export function createSessions(ctx: HubContext, history: HistoryReplies): SessionConcern {
  const { store, broker, sessions, limits, options } = ctx
  restoreSessions(ctx)
  // Several stamps per window, so a crash shortens no session's window by more than a quarter of it.
  const liveStamp = setInterval(
    () => store.markLiveSessions(),
    Math.min(LIVE_STAMP_MAX_MS, Math.max(1, limits.sessionResumeMs / 4))
  )
  liveStamp.unref()

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

  /** A new session for `nick`, or undefined when a connected user holds the nick. */
  function newSession(nick: string): Session<Connection> | undefined {
    const user = newUser(nick)
    const claim = broker.claimNick(user)
    if (!claim.ok) return undefined
    // A dropped session holding the nick gives way: its person may well be this one, without the token.
    const holder = claim.displacedUserId !== undefined ? sessions.byUserId(claim.displacedUserId) : undefined
    if (holder) {
      sessions.remove(holder)
      store.deleteSession(holder.tokenHash)
    }
    const session = sessions.create(user)
    session.rooms.add(DEFAULT_ROOM)
    return session
  }

  function hello(connection: Connection, message: ClientMessageOf<'hello'>): void {
    if (options.checkPassword && !options.checkPassword(message.password)) {
      ctx.close(connection, CloseCode.Unauthorized, REASONS.unauthorized)
      return
    }
    const previous = message.session !== undefined ? sessions.byToken(message.session) : undefined
    if (previous) takeOver(previous, connection)
    const session = previous ?? newSession(message.nick)
    if (!session) {
      ctx.close(connection, CloseCode.NickInUse, REASONS.nickInUse)
      return
    }
    const resumed = previous !== undefined
    sessions.revived(session)
    session.connection = connection
    broker.attachUser(session.user.id, connection)
    ctx.persist(session)
    connection.session = session
    if (connection.helloTimer !== undefined) clearTimeout(connection.helloTimer)
    connection.helloTimer = undefined
    connection.info.nick = session.user.nick
    connection.info.userId = session.user.id
    ctx.log.changed(connection)

    for (const room of session.rooms) {
      // A taken-over socket was swapped in place above; only a returning or new user is news.
      if (broker.isMember(room, connection)) continue
      broker.join(room, connection, session.user)
      broker.presence(room, 'join', session.user, connection)
    }
    ctx.send(connection, {
      type: 'welcome',
      user: session.user,
      // A restored session only knows its token's hash; the client presented the token itself.
      session: resumed && message.session !== undefined ? message.session : session.token,
      ...(resumed ? { resumed: true } : {}),
      server: { name: options.serverName, version: options.serverVersion, limits: { ...limits } },
      rooms: broker.roomSummaries()
    })
    for (const room of session.rooms) {
      history.sendJoined(connection, room, message.resume?.[room], ctx.sendInBurst, message.changes?.[room])
    }
    const lastDm = message.resume?.[DM_RESUME_KEY]
    if (resumed && lastDm !== undefined) history.replayDms(connection, session, lastDm)
  }

  return {
    handlers: {
      hello(connection) {
        ctx.sendError(connection, 'invalid_message', 'You already said hello on this connection.', 'hello')
      },
      ping(connection, _session, message) {
        ctx.send(connection, { type: 'pong', t: message.t, serverTime: Date.now() })
      }
    },
    hello,
    dispose() {
      clearInterval(liveStamp)
    }
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
