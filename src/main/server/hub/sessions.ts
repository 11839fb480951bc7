/**
 * Sessions: the first `hello` (admitted by hello-gate.ts, its session found or made by
 * session-sources.ts) bound to its connection and answered with the welcome and what the client
 * missed, and what a connection may say after hello about itself (`hello` again, `ping`).
 */
import { CloseCode } from '../../../shared/close-codes'
import { DM_RESUME_KEY, type ClientMessageOf } from '../../../shared/protocol'
import type { ReplyAllowance } from '../reply-budget'
import type { Connection } from './connection'
import type { HandlersFor } from './dispatch'
import { createHelloGate } from './hello-gate'
import type { HistoryReplies } from './history'
import type { HubContext } from './hub-context'
import { createSessionSources } from './session-sources'

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
  const sources = createSessionSources(ctx)
  const gate = createHelloGate(ctx)
  // Several stamps per window, so a crash shortens no session's window by more than a quarter of it.
  const liveStamp = setInterval(
    () => store.markLiveSessions(),
    Math.min(LIVE_STAMP_MAX_MS, Math.max(1, limits.sessionResumeMs / 4))
  )
  liveStamp.unref()

  function hello(connection: Connection, message: ClientMessageOf<'hello'>): void {
    if (!gate.admits(connection, message)) return
    const previous = message.session !== undefined ? sources.resumed(message.session, connection) : undefined
    const session = previous ?? sources.fresh(message.nick)
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
