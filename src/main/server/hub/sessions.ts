/**
 * Sessions: the first `hello` (a new session, or a resume that takes one over), the sessions kept
 * across a restart, and what a connection may say after hello about itself (`hello` again, `ping`).
 */
import { CloseCode } from '../../../shared/close-codes'
import { DEFAULT_ROOM, DM_RESUME_KEY, isValidRoomName, type ClientMessageOf } from '../../../shared/protocol'
import { closeReason } from '../moderation/close-reason'
import { isReservedNick } from '../nick-identity'
import type { ReplyAllowance } from '../reply-budget'
import { hashToken, newUser, type Session } from '../session-registry'
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

  /** Checks the password against the guess throttle; closes the connection when it fails. */
  function passwordAccepted(connection: Connection, password: string | undefined): boolean {
    const address = connection.info.remoteAddress
    const verdict = ctx.guessThrottle.check(address)
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000)
      ctx.close(
        connection,
        CloseCode.RateLimited,
        `Too many wrong passwords from here: try again in ${seconds} s.`
      )
      return false
    }
    if (options.checkPassword?.(password)) {
      ctx.guessThrottle.succeeded(address)
      return true
    }
    const wait = ctx.guessThrottle.failed(address)
    ctx.closeAfter(connection, CloseCode.Unauthorized, REASONS.unauthorized, wait)
    return false
  }

  function hello(connection: Connection, message: ClientMessageOf<'hello'>): void {
    if (options.checkPassword && !passwordAccepted(connection, message.password)) return
    // A ban holds the session and the nick: neither a resume nor a fresh hello gets past it.
    const ban = options.bans.banFor(
      message.session !== undefined ? hashToken(message.session) : undefined,
      message.nick
    )
    if (ban) {
      ctx.close(connection, CloseCode.Banned, closeReason(REASONS.banned, ban.reason))
      return
    }
    const previous =
      message.session !== undefined
        ? (sessions.byToken(message.session) ?? fromAnotherNode(message.session))
        : undefined
    if (previous) takeOver(previous, connection)
    const session = previous ?? newSession(message.nick)
    if (typeof session === 'string') {
      ctx.close(connection, CloseCode.NickInUse, session)
      return
    }
    const resumed = previous !== undefined
    sessions.revived(session)
    session.connection = connection
    // After revived(), which forgot it under its old address: the dropped-session cap counts it here.
    session.address = connection.info.remoteAddress
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
      rooms: broker.roomSummaries(),
      ...(store.epoch !== undefined ? { historyEpoch: store.epoch } : {})
    })
    session.token = ''
    // A Map, not the parsed object: a room named "constructor" missing from the client's map would
    // read Object.prototype.constructor (which SQLite refuses to bind: 1011 on every resume).
    const resume = new Map(Object.entries(message.resume ?? {}))
    const changes = new Map(Object.entries(message.changes ?? {}))
    // One budget for the whole reply, so it does not grow with the rooms (200 rooms of large
    // messages were 200 × 512 KiB per hello): missed DMs take up to half, the rooms the rest in
    // turn, and a room past it gets only hasMore, for the client to page with history.
    const allowance: ReplyAllowance = { left: ctx.replyBudget }
    const lastDm = resume.get(DM_RESUME_KEY)
    const dms =
      resumed && lastDm !== undefined ? history.dmReplay(session, lastDm, allowance.left / 2) : undefined
    allowance.left -= dms?.bytes ?? 0
    for (const room of session.rooms) {
      history.sendJoined(connection, room, resume.get(room), allowance, changes.get(room))
    }
    dms?.send(connection)
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
