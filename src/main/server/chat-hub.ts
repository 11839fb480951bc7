/**
 * Protocol v1 behind the socket: hello and sessions, rooms and presence, messages, DMs,
 * history and resume. The hub knows connections only through the `Connection` shape below,
 * so the transport (ws, handshake, heartbeat) stays in chat-server.ts.
 */
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes'
import {
  DEFAULT_ROOM,
  DM_RESUME_KEY,
  isValidRoomName,
  parseClientMessage,
  type ChatMessage,
  type ClientMessageOf,
  type DirectMessage,
  type ErrorCode,
  type Limits,
  type RoomSummary,
  type ServerMessage,
  type ServerMessageOf,
  type User
} from '../../shared/protocol'
import type { ConnectionLog } from './connection-log'
import { createFrame, sendFrame, type OutboundFrame } from './fanout'
import type { HistoryStore, Page } from './history-store'
import type { ConnectionInfo } from './index'
import type { RecentSends } from './recent-sends'
import { createPresenceBatcher, type PresenceEvent } from './presence-batcher'
import { newestWithin, replyBudgetBytes } from './reply-budget'
import { createSessionRegistry, type Session } from './session-registry'
import type { TokenBucket } from './token-bucket'

export interface Connection {
  readonly ws: WebSocket
  readonly info: ConnectionInfo
  readonly bucket: TokenBucket
  session: Session<Connection> | undefined
  /** Set once the server decided to close it: nothing more is read from or sent to it. */
  closing: boolean
  /** The close the server sent, kept because the peer's echo may never come (the record keeps the real cause). */
  sentClose: { code: number; reason: string } | undefined
  helloTimer: NodeJS.Timeout | undefined
  bufferedAmount(): number
}

export interface ChatHubOptions {
  store: HistoryStore
  limits: Limits
  log: ConnectionLog
  logger: Logger
  serverName: string
  serverVersion: string
  /** Rooms are created by joining; this caps how many one server keeps (each is listed in every welcome). */
  maxRooms: number
  /** Dropped (resumable) sessions kept at most; the oldest dropped is evicted first. Default 10,000. */
  maxDroppedSessions?: number
  /** Null when the server has no password. */
  checkPassword: ((candidate: string | undefined) => boolean) | null
}

export type AdminError = 'invalid_room' | 'invalid_text' | 'no_such_user' | 'storage_failed'
export type AdminRefusal = { ok: false; status: number; error: AdminError; message: string }
export type AdminResult<T> = { ok: true; value: T } | AdminRefusal

export interface ChatHub {
  opened(connection: Connection): void
  received(connection: Connection, data: string): void
  /** The socket is gone (closed by either side or terminated). Idempotent. */
  detach(connection: Connection): void
  /** Closes one connection on the server's initiative, detaching it at once. */
  close(connection: Connection, code: number, reason: string): void
  postAsServer(room: string, text: string): Promise<AdminResult<ServerMessage>>
  dmAsServer(userId: string, text: string): Promise<AdminResult<ServerMessage>>
  roomSummaries(): RoomSummary[]
  userCounts(): { users: number; online: number }
  dispose(): void
}

const CLOSE_HANDSHAKE_GRACE_MS = 10_000
/** Longest gap between stamps of the sessions with a socket (see HistoryStore.markLiveSessions). */
const LIVE_STAMP_MAX_MS = 15_000
/**
 * How far back (in room ids, or DM ids) a cold lookup searches for a resend's original. The
 * original was in flight when the old process died, so only what arrived around it lies between.
 */
const CID_LOOKUP_WINDOW = 4096

// A stored message as others see it: the cid is the author's own key and goes only to the author.
// Spelled out field by field: these run for every message fanned out, and a literal is what V8
// builds fastest (a rest-destructure copies through the runtime).
function sharedMessage(m: ChatMessage): ServerMessageOf<'message'> {
  return { type: 'message', room: m.room, id: m.id, from: m.from, text: m.text, ts: m.ts }
}
function sharedDm(m: DirectMessage): ServerMessageOf<'dm'> {
  return { type: 'dm', id: m.id, from: m.from, to: m.to, text: m.text, ts: m.ts }
}

/** Replays and history pages: each message as `viewerId` may see it. */
function forViewer<T extends { cid?: string; from: User }>(messages: T[], viewerId: string): T[] {
  return messages.map((m) => {
    if (m.cid === undefined || m.from.id === viewerId) return m
    const { cid: _authorsOnly, ...shared } = m
    return shared as T
  })
}

/** What became of an earlier send with the same cid: none, still queued, or stored. */
type EarlierSend<T> = { state: 'none' } | { state: 'queued' } | { state: 'stored'; value: T }

interface SendLookups<T> {
  byId(id: number): T | undefined
  /** Asks the file (the memory of a session restored after a restart is empty). */
  byCid(): T | undefined
}
const ROOM_NAME_RULE = 'Room names are 1–32 characters of a-z, 0-9, - and _.'

const REASONS = {
  notHello: 'The first message must be a valid hello.',
  unauthorized: 'Wrong or missing password.',
  helloTimeout: 'No hello within the time limit.',
  nickInUse: 'That nick is in use by someone connected right now.',
  rateLimited: 'Too many messages too fast.',
  replaced: 'This session was resumed from another connection.',
  slowConsumer: 'Too much unsent data: the client reads too slowly.',
  storage: 'The server could not store the message.'
} as const

export function createChatHub(options: ChatHubOptions): ChatHub {
  const { store, limits, log, logger } = options
  const sessions = createSessionRegistry<Connection>(limits.sessionResumeMs, options.maxDroppedSessions)
  const members = new Map<string, Set<Connection>>()
  const serverUser: User = { id: 'server', nick: options.serverName }
  const replyBudget = replyBudgetBytes(limits.maxBufferedBytes)

  function membersOf(room: string): Set<Connection> {
    let set = members.get(room)
    if (!set) {
      set = new Set()
      members.set(room, set)
    }
    return set
  }
  for (const room of store.roomNames()) membersOf(room)
  if (store.ensureRoom(DEFAULT_ROOM)) membersOf(DEFAULT_ROOM)

  function persist(session: Session<Connection>): void {
    store.saveSession({
      tokenHash: session.tokenHash,
      user: session.user,
      rooms: [...session.rooms],
      droppedAt: session.connection ? null : Date.now()
    })
  }

  function expired(session: Session<Connection>): void {
    store.deleteSession(session.tokenHash)
    logger.debug({ userId: session.user.id, nick: session.user.nick }, 'session expired')
  }

  // A session saved before a restart (or a crash) keeps what is left of its resume window, counted
  // from its drop; one whose socket was open when the process died dropped at the last live stamp.
  // Clients that reconnect in time keep their user id, rooms and DMs across the restart.
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
      membersOf(room)
    }
    sessions.dropped(sessions.restore(saved.tokenHash, saved.user, rooms), expired, left)
  }
  // Several stamps per window, so a crash shortens no session's window by more than a quarter of it.
  const liveStamp = setInterval(
    () => store.markLiveSessions(),
    Math.min(LIVE_STAMP_MAX_MS, Math.max(1, limits.sessionResumeMs / 4))
  )
  liveStamp.unref()

  /**
   * A slow consumer is one whose backlog is already over the cap when the next frame is due: a
   * backlog the frame itself creates is a big reply (bounded by replyBudget), not a stalled reader.
   */
  function deliver(connection: Connection, frame: OutboundFrame): void {
    if (connection.closing) return
    if (connection.bufferedAmount() > limits.maxBufferedBytes) {
      close(connection, CloseCode.TryAgainLater, REASONS.slowConsumer)
      return
    }
    write(connection, frame)
  }

  function write(connection: Connection, frame: OutboundFrame): void {
    if (connection.closing || !sendFrame(connection.ws, frame)) return
    connection.info.messagesOut++
    log.touched(connection)
  }

  function send(connection: Connection, message: ServerMessage): void {
    deliver(connection, createFrame(message))
  }

  /**
   * The frames of one hello after its welcome (a joined per room, the DM replay) are one reply the
   * client asked for in one go: the backlog earlier frames of it left is not checked.
   */
  function sendInBurst(connection: Connection, message: ServerMessage): void {
    write(connection, createFrame(message))
  }

  function sendError(connection: Connection, code: ErrorCode, message: string, ref?: string): void {
    send(connection, { type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) })
  }

  /**
   * One frame, framed once, to every member of the room but `except`. Presence queued this turn
   * goes first, so no member sees a message (or typing) from someone whose join it has not seen.
   */
  function broadcast(room: string, message: ServerMessage, except?: Connection): void {
    presence.flush(room)
    broadcastNow(room, message, except)
  }

  function broadcastNow(room: string, message: ServerMessage, except?: Connection): void {
    const set = members.get(room)
    if (!set || set.size === 0) return
    const frame = createFrame(message)
    for (const member of set) if (member !== except) deliver(member, frame)
  }

  const presence = createPresenceBatcher<Connection>(broadcastNow)

  function memberCount(room: string): number {
    return members.get(room)?.size ?? 0
  }

  function queuePresence(room: string, event: PresenceEvent, user: User, except?: Connection): void {
    presence.queue(room, event, user, memberCount(room), except)
  }

  /** Members in the order they joined, `offset` on, at most `limit`: a large room is paged. */
  function memberUsers(room: string, offset = 0, limit = limits.membersPageMax): User[] {
    const users: User[] = []
    let skipped = 0
    for (const member of members.get(room) ?? []) {
      if (!member.session) continue
      if (skipped++ < offset) continue
      if (users.length === limit) break
      users.push(member.session.user)
    }
    return users
  }

  /** An existing room, or room for a new one under the cap. */
  function roomAvailable(room: string): boolean {
    return members.has(room) || members.size < options.maxRooms
  }

  function roomLimitSentence(): string {
    return `This server has reached its limit of ${options.maxRooms} rooms; join an existing one.`
  }

  function roomSummaries(): RoomSummary[] {
    return [...members.entries()]
      .map(([name, set]) => ({ name, members: set.size }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  function close(connection: Connection, code: number, reason: string): void {
    if (connection.closing) return
    connection.closing = true
    connection.sentClose = { code, reason }
    detach(connection)
    connection.ws.close(code, reason)
    // A peer that never answers the close (a stalled reader's buffers are full) would hold its
    // socket for ws's 30 s close timeout; cut it sooner.
    setTimeout(() => connection.ws.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref()
  }

  /** Leaves room presence at once; the session stays resumable. */
  function detach(connection: Connection): void {
    if (connection.helloTimer !== undefined) clearTimeout(connection.helloTimer)
    connection.helloTimer = undefined
    const session = connection.session
    if (!session || session.connection !== connection) return
    session.connection = undefined
    for (const room of session.rooms) {
      members.get(room)?.delete(connection)
      queuePresence(room, 'leave', session.user)
    }
    sessions.dropped(session, expired)
    // Over the dropped-session cap the oldest is evicted at once (this one only with a cap of 0),
    // and expired() has queued its row's deletion already.
    if (sessions.byUserId(session.user.id) === session) persist(session)
  }

  // -------------------------------------------------------------------------------------------
  // hello

  function hello(connection: Connection, message: ClientMessageOf<'hello'>): void {
    if (options.checkPassword && !options.checkPassword(message.password)) {
      close(connection, CloseCode.Unauthorized, REASONS.unauthorized)
      return
    }
    const previous = message.session !== undefined ? sessions.byToken(message.session) : undefined
    let session: Session<Connection>
    let resumed = false
    if (previous) {
      session = previous
      resumed = true
      const stale = previous.connection
      if (stale) {
        // Swap the socket in place: the user never left, so the others see no presence change.
        for (const room of previous.rooms) {
          const set = membersOf(room)
          set.delete(stale)
          set.add(connection)
        }
        previous.connection = undefined
        close(stale, CloseCode.SessionReplaced, REASONS.replaced)
      }
    } else {
      const holder = sessions.byNick(message.nick)
      if (holder?.connection) {
        close(connection, CloseCode.NickInUse, REASONS.nickInUse)
        return
      }
      // A dropped session holding the nick gives way: its person may well be this one, without the token.
      if (holder) {
        sessions.remove(holder)
        store.deleteSession(holder.tokenHash)
      }
      session = sessions.create(message.nick)
      session.rooms.add(DEFAULT_ROOM)
    }
    sessions.revived(session)
    session.connection = connection
    persist(session)
    connection.session = session
    if (connection.helloTimer !== undefined) clearTimeout(connection.helloTimer)
    connection.helloTimer = undefined
    connection.info.nick = session.user.nick
    connection.info.userId = session.user.id
    log.changed(connection)

    for (const room of session.rooms) {
      const set = membersOf(room)
      if (!set.has(connection)) {
        // A taken-over socket was swapped in place above; only a returning or new user is news.
        set.add(connection)
        queuePresence(room, 'join', session.user, connection)
      }
    }
    send(connection, {
      type: 'welcome',
      user: session.user,
      // A restored session only knows its token's hash; the client presented the token itself.
      session: resumed && message.session !== undefined ? message.session : session.token,
      ...(resumed ? { resumed: true } : {}),
      server: { name: options.serverName, version: options.serverVersion, limits: { ...limits } },
      rooms: roomSummaries()
    })
    for (const room of session.rooms) sendJoined(connection, room, message.resume?.[room], sendInBurst)
    const lastDm = message.resume?.[DM_RESUME_KEY]
    if (resumed && lastDm !== undefined) {
      const page = withinBudget(store.dmsAfter(session.user.id, lastDm, limits.resumeReplayMax))
      for (const dm of forViewer(page.messages, session.user.id))
        sendInBurst(connection, { type: 'dm', ...dm })
    }
  }

  /** A page cut to the reply byte budget (newest kept); cutting sets hasMore like the count cap. */
  function withinBudget<T>(page: Page<T>): Page<T> {
    const fitted = newestWithin(page.messages, replyBudget)
    return { messages: fitted.messages, hasMore: page.hasMore || fitted.cut }
  }

  function sendJoined(
    connection: Connection,
    room: string,
    resumeAfter: number | undefined,
    sendReply: (connection: Connection, message: ServerMessage) => void = send
  ): void {
    const viewerId = connection.session?.user.id ?? ''
    const page = withinBudget(
      resumeAfter !== undefined
        ? store.messagesAfter(room, resumeAfter, limits.resumeReplayMax)
        : store.page(room, limits.joinHistory)
    )
    sendReply(connection, {
      type: 'joined',
      room,
      members: memberUsers(room),
      memberCount: memberCount(room),
      history: forViewer(page.messages, viewerId),
      ...(page.hasMore ? { hasMore: true } : {})
    })
  }

  // -------------------------------------------------------------------------------------------
  // after hello

  function requireRoom(connection: Connection, session: Session<Connection>, room: string, ref: string) {
    if (session.rooms.has(room)) return true
    sendError(connection, 'not_in_room', `You are not in #${room}; join it first.`, ref)
    return false
  }

  function textFits(connection: Connection, text: string, ref: string): boolean {
    if (text.length <= limits.maxTextLength) return true
    sendError(
      connection,
      'text_too_long',
      `The text is ${text.length} characters; the limit is ${limits.maxTextLength}.`,
      ref
    )
    return false
  }

  /** The write was not committed, so it is neither acknowledged nor broadcast; 1011 tells the sender to retry. */
  function storageFailed(session: Session<Connection> | null, error: Error | null): void {
    logger.error({ err: error }, 'history write failed')
    if (session?.connection) close(session.connection, CloseCode.InternalError, REASONS.storage)
  }

  function handle(connection: Connection, session: Session<Connection>, raw: string): void {
    const parsed = parseClientMessage(raw)
    if (!parsed.ok) {
      if (isBadRoomName(parsed.code, raw)) {
        sendError(connection, 'invalid_room', ROOM_NAME_RULE)
      } else {
        sendError(connection, parsed.code, parsed.message)
      }
      return
    }
    const message = parsed.value
    switch (message.type) {
      case 'hello':
        sendError(connection, 'invalid_message', 'You already said hello on this connection.', 'hello')
        return
      case 'join': {
        if (!roomAvailable(message.room)) {
          sendError(connection, 'invalid_room', roomLimitSentence(), 'join')
          return
        }
        if (!session.rooms.has(message.room)) {
          store.ensureRoom(message.room)
          session.rooms.add(message.room)
          persist(session)
          membersOf(message.room).add(connection)
          queuePresence(message.room, 'join', session.user, connection)
        }
        sendJoined(connection, message.room, undefined)
        return
      }
      case 'leave': {
        if (!requireRoom(connection, session, message.room, 'leave')) return
        session.rooms.delete(message.room)
        persist(session)
        members.get(message.room)?.delete(connection)
        send(connection, { type: 'left', room: message.room })
        queuePresence(message.room, 'leave', session.user)
        return
      }
      case 'rooms':
        send(connection, { type: 'rooms', rooms: roomSummaries() })
        return
      case 'send': {
        const ref = message.cid ?? 'send'
        if (!requireRoom(connection, session, message.room, ref)) return
        if (!textFits(connection, message.text, ref)) return
        const { cid, room } = message
        if (cid === undefined) {
          store.appendMessage(room, session.user, message.text, (error, stored) => {
            if (!stored) return storageFailed(session, error)
            const sender = session.connection
            const copy = { type: 'message' as const, ...stored }
            broadcast(room, copy)
            if (sender && !members.get(room)?.has(sender)) send(sender, copy)
          })
          return
        }
        const key = `#${room}\u0000${cid}`
        const earlier = earlierSend(session, session.sentMessages, key, {
          byId: (id) => store.messageById(room, id),
          byCid: () => store.findMessageByCid(room, session.user.id, cid, CID_LOOKUP_WINDOW)
        })
        // A resend of something already stored: acknowledge with the stored message, tell no one else.
        if (earlier.state === 'stored') send(connection, { type: 'message', ...earlier.value })
        if (earlier.state !== 'none') return
        const queued = store.appendMessage(
          room,
          session.user,
          message.text,
          (error, stored) => {
            if (!stored) {
              session.sentMessages.forget(key)
              return storageFailed(session, error)
            }
            session.sentMessages.committed(key)
            const sender = session.connection
            broadcast(room, sharedMessage(stored), sender)
            if (sender) send(sender, { type: 'message', ...stored })
          },
          cid
        )
        session.sentMessages.remember(key, queued.id, false)
        return
      }
      case 'dm': {
        const ref = message.cid ?? 'dm'
        const target = sessions.byUserId(message.to)
        if (!target) {
          sendError(connection, 'no_such_user', `No user with id "${message.to.slice(0, 64)}" is here.`, ref)
          return
        }
        if (!textFits(connection, message.text, ref)) return
        const cid = message.cid
        const key = cid === undefined ? undefined : `@${target.user.id}\u0000${cid}`
        if (cid !== undefined && key !== undefined) {
          const earlier = earlierSend(session, session.sentDms, key, {
            byId: (id) => store.dmById(id),
            byCid: () => store.findDmByCid(session.user.id, target.user.id, cid, CID_LOOKUP_WINDOW)
          })
          if (earlier.state === 'stored') send(connection, { type: 'dm', ...earlier.value })
          if (earlier.state !== 'none') return
        }
        const queued = store.appendDm(
          session.user,
          target.user,
          message.text,
          (error, stored) => {
            if (key !== undefined) {
              if (stored) session.sentDms.committed(key)
              else session.sentDms.forget(key)
            }
            if (!stored) return storageFailed(session, error)
            if (target.connection && target !== session) {
              send(target.connection, sharedDm(stored))
            }
            if (session.connection) send(session.connection, { type: 'dm', ...stored })
          },
          cid
        )
        if (key !== undefined) session.sentDms.remember(key, queued.id, false)
        return
      }
      case 'typing': {
        if (!requireRoom(connection, session, message.room, 'typing')) return
        broadcast(message.room, { type: 'typing', room: message.room, user: session.user }, connection)
        return
      }
      case 'history': {
        const limit = Math.min(message.limit ?? limits.joinHistory, limits.historyPageMax)
        const page = withinBudget(store.page(message.room, limit, message.before))
        send(connection, {
          type: 'history',
          room: message.room,
          messages: forViewer(page.messages, session.user.id),
          ...(page.hasMore ? { hasMore: true } : {})
        })
        return
      }
      case 'members': {
        if (!requireRoom(connection, session, message.room, 'members')) return
        const offset = message.offset ?? 0
        const limit = Math.min(message.limit ?? limits.membersPageMax, limits.membersPageMax)
        send(connection, {
          type: 'members',
          room: message.room,
          offset,
          members: memberUsers(message.room, offset, limit),
          total: memberCount(message.room)
        })
        return
      }
      case 'ping':
        send(connection, { type: 'pong', t: message.t, serverTime: Date.now() })
        return
    }
  }

  /**
   * Whether this session already sent `key`. Memory answers for everything sent since the session
   * came to this process; a session restored from disk also asks the file for its first sends.
   */
  function earlierSend<T extends { id: number }>(
    session: Session<Connection>,
    recent: RecentSends,
    key: string,
    lookups: SendLookups<T>
  ): EarlierSend<T> {
    const entry = recent.get(key)
    if (entry && !entry.committed) return { state: 'queued' }
    let stored: T | undefined
    if (entry) {
      stored = lookups.byId(entry.id)
    } else if (session.coldLookups > 0) {
      session.coldLookups--
      stored = lookups.byCid()
      if (stored) recent.remember(key, stored.id, true)
    }
    return stored ? { state: 'stored', value: stored } : { state: 'none' }
  }

  /** The shared schema reports a bad room name as invalid_message; the protocol names it invalid_room. */
  function isBadRoomName(code: ErrorCode, raw: string): boolean {
    if (code !== 'invalid_message') return false
    const value: unknown = JSON.parse(raw)
    if (typeof value !== 'object' || value === null || !('room' in value)) return false
    return typeof value.room === 'string' && !isValidRoomName(value.room)
  }

  function receive(connection: Connection, data: string): void {
    if (connection.closing) return
    connection.info.messagesIn++
    log.touched(connection)
    if (!connection.bucket.take()) {
      close(connection, CloseCode.RateLimited, REASONS.rateLimited)
      return
    }
    const session = connection.session
    if (session) {
      handle(connection, session, data)
      return
    }
    const parsed = parseClientMessage(data)
    if (!parsed.ok || parsed.value.type !== 'hello') {
      close(connection, CloseCode.NotHello, REASONS.notHello)
      return
    }
    hello(connection, parsed.value)
  }

  function refuse(status: number, error: AdminError, message: string): AdminRefusal {
    return { ok: false, status, error, message }
  }

  function adminTextRefusal(text: string): AdminRefusal | undefined {
    if (text.length > 0 && text.length <= limits.maxTextLength) return undefined
    return refuse(400, 'invalid_text', `text must be 1–${limits.maxTextLength} characters.`)
  }

  function adminStorageFailed(error: Error | null): AdminRefusal {
    storageFailed(null, error)
    return refuse(500, 'storage_failed', 'The message could not be stored.')
  }

  return {
    opened(connection) {
      connection.helloTimer = setTimeout(() => {
        if (!connection.session) close(connection, CloseCode.HelloTimeout, REASONS.helloTimeout)
      }, limits.helloTimeoutMs)
    },
    received(connection, data) {
      try {
        receive(connection, data)
      } catch (error) {
        // A bug in one handler must cost one connection, never the whole server.
        logger.error({ err: error, conn: connection.info.id }, 'message handler failed')
        close(connection, CloseCode.InternalError, 'The server failed to handle a message.')
      }
    },
    detach,

    close,
    postAsServer(room, text) {
      if (!isValidRoomName(room)) return Promise.resolve(refuse(400, 'invalid_room', ROOM_NAME_RULE))
      const refusal =
        adminTextRefusal(text) ??
        (roomAvailable(room) ? undefined : refuse(400, 'invalid_room', roomLimitSentence()))
      if (refusal) return Promise.resolve(refusal)
      store.ensureRoom(room)
      membersOf(room)
      return new Promise((resolve) =>
        store.appendMessage(room, serverUser, text, (error, stored) => {
          if (!stored) return resolve(adminStorageFailed(error))
          const message = { type: 'message' as const, ...stored }
          broadcast(room, message)
          resolve({ ok: true, value: message })
        })
      )
    },
    dmAsServer(userId, text) {
      const target = sessions.byUserId(userId)
      if (!target) {
        return Promise.resolve(refuse(404, 'no_such_user', `No user with id "${userId.slice(0, 64)}".`))
      }
      const refusal = adminTextRefusal(text)
      if (refusal) return Promise.resolve(refusal)
      return new Promise((resolve) =>
        store.appendDm(serverUser, target.user, text, (error, stored) => {
          if (!stored) return resolve(adminStorageFailed(error))
          const message = { type: 'dm' as const, ...stored }
          if (target.connection) send(target.connection, message)
          resolve({ ok: true, value: message })
        })
      )
    },
    roomSummaries,
    userCounts() {
      let online = 0
      for (const session of sessions.all()) if (session.connection) online++
      return { users: sessions.size, online }
    },
    dispose() {
      clearInterval(liveStamp)
      presence.dispose()
      sessions.dispose()
      members.clear()
    }
  }
}
