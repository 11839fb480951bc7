/**
 * What every concern's handlers share: the two seams (Store, Broker), the session table, and
 * the ways to answer a connection and to end one. Built once per hub by `createHubContext`.
 */
import type { Logger } from 'pino'
import { CloseCode } from '../../../shared/close-codes'
import type { ErrorCode, Limits, ServerMessage } from '../../../shared/protocol'
import type { Broker } from '../broker'
import type { ConnectionLog } from '../connection-log'
import type { FileStore } from '../files/file-store'
import type { ModerationStore } from '../moderation/moderation-store'
import { createFrame, sendFrame, type OutboundFrame } from '../fanout'
import { createLocalBroker } from '../local-broker'
import { createGuessThrottle, type GuessThrottle } from '../guess-throttle'
import { newestWithin, replyBudgetBytes } from '../reply-budget'
import { createSessionRegistry, type Session, type SessionRegistry } from '../session-registry'
import type { Page, Store } from '../store'
import type { Connection } from './connection'
import { createSessionLifetime } from './session-lifetime'

export interface ChatHubOptions {
  store: Store
  /** Default: the in-process broker (local-broker.ts), delivering through the hub. */
  broker?: (deliver: (connection: Connection, frame: OutboundFrame) => void) => Broker<Connection>
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
  /**
   * Uploaded files: a send claims its attachments here (files/file-store.ts); deleting a message
   * (issue 13) calls detachFilesOf with hub/attachments.ts's key for it.
   */
  files: Pick<FileStore, 'claim' | 'detachFilesOf'>
  /** Bans, checked at every hello (moderation/moderation-store.ts). */
  bans: Pick<ModerationStore, 'banFor'>
  /** Who is a moderator: they may delete anyone's room message (hub/message-permissions.ts). */
  moderators: Pick<ModerationStore, 'isModerator'>
  /** Wrong passwords per address (shared with the admin API's tokens). Default: a fresh one. */
  guessThrottle?: GuessThrottle
  /** Dropped sessions kept per remote address, before the global cap. Default 1,000. */
  maxDroppedSessionsPerIp?: number
  /** A room nobody is in (no member, no resumable session) is forgotten after this. Default 1 h. */
  emptyRoomExpiryMs?: number
}

export const REASONS = {
  notHello: 'The first message must be a valid hello.',
  unauthorized: 'Wrong or missing password.',
  helloTimeout: 'No hello within the time limit.',
  nickInUse: 'That nick, or one that looks the same, is taken (its session may still come back).',
  nickReserved: 'That nick would pass for the server: pick another.',
  rateLimited: 'Too many messages too fast.',
  replaced: 'This session was resumed from another connection.',
  slowConsumer: 'Too much unsent data: the client reads too slowly.',
  storage: 'The server could not store the message.',
  handlerFailed: 'The server failed to handle a message.',
  banned: 'Banned'
} as const

export const ROOM_NAME_RULE = 'Room names are 1–32 characters of a-z, 0-9, - and _.'

const CLOSE_HANDSHAKE_GRACE_MS = 10_000

export interface HubContext {
  readonly options: ChatHubOptions
  readonly store: Store
  readonly broker: Broker<Connection>
  readonly sessions: SessionRegistry<Connection>
  readonly limits: Limits
  readonly logger: Logger
  readonly log: ConnectionLog
  /** A reply to one connection; a connection already over the unsent-bytes cap is closed instead. */
  send(connection: Connection, message: ServerMessage): void
  /** Bytes of stored messages one reply may carry (half of maxBufferedBytes). */
  readonly replyBudget: number
  /** A recoverable mistake: answered, never a close. `ref` is the cid or type it is about. */
  sendError(connection: Connection, code: ErrorCode, message: string, ref?: string): void
  /** Closes one connection on the server's initiative, detaching it at once. */
  close(connection: Connection, code: number, reason: string): void
  /**
   * Like close, but the close frame goes out `delayMs` later; nothing more is read from the
   * connection meanwhile. A wrong password's answer, slowed down for a guesser.
   */
  closeAfter(connection: Connection, code: number, reason: string, delayMs: number): void
  readonly guessThrottle: GuessThrottle
  /** The socket is gone: leaves room presence at once; the session stays resumable. Idempotent. */
  detach(connection: Connection): void
  /** Writes the session's user, rooms and connectedness to the store (batched). */
  persist(session: Session<Connection>): void
  /** A session's resume window lapsed (or it was evicted as the oldest dropped one). */
  expired(session: Session<Connection>): void
  /** The write was not stored, so it is neither acknowledged nor broadcast; 1011 tells the sender to retry. */
  storageFailed(session: Session<Connection> | null, error: Error | null, ref?: string): void
  /** Whether `text` is within the length limit; answers `text_too_long` when it is not. */
  textFits(connection: Connection, text: string, ref: string): boolean
  /** A page cut to the reply byte budget (newest kept); cutting sets hasMore like the count cap. */
  withinBudget<T>(page: Page<T>): Page<T>
}

export function createHubContext(options: ChatHubOptions): HubContext {
  const { store, limits, log, logger } = options
  const sessions = createSessionRegistry<Connection>(
    limits.sessionResumeMs,
    options.maxDroppedSessions,
    options.maxDroppedSessionsPerIp
  )
  const guessThrottle = options.guessThrottle ?? createGuessThrottle()
  const replyBudget = replyBudgetBytes(limits.maxBufferedBytes)

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

  const broker = (options.broker ?? createLocalBroker<Connection>)(deliver)
  const { detach, persist, expired } = createSessionLifetime(store, broker, sessions, logger)

  function close(connection: Connection, code: number, reason: string): void {
    closeAfter(connection, code, reason, 0)
  }

  function closeAfter(connection: Connection, code: number, reason: string, delayMs: number): void {
    if (connection.closing) return
    connection.closing = true
    connection.sentClose = { code, reason }
    detach(connection)
    if (delayMs > 0) {
      setTimeout(() => closeNow(connection, code, reason), delayMs).unref()
      return
    }
    closeNow(connection, code, reason)
  }

  function closeNow(connection: Connection, code: number, reason: string): void {
    connection.ws.close(code, reason)
    // A peer that never answers the close (a stalled reader's buffers are full) would hold its
    // socket for ws's 30 s close timeout; cut it sooner.
    setTimeout(() => connection.ws.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref()
  }

  function send(connection: Connection, message: ServerMessage): void {
    deliver(connection, createFrame(message))
  }

  return {
    options,
    store,
    broker,
    sessions,
    limits,
    logger,
    log,
    send,
    replyBudget,
    sendError(connection, code, message, ref) {
      send(connection, { type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) })
    },
    close,
    closeAfter,
    guessThrottle,
    detach,
    persist,
    expired,
    storageFailed(session, error, ref) {
      // The store is away (Redis down): keep the connection, refuse the send; the client retries.
      if (error && (error as Error & { code?: string }).code === 'store_unavailable') {
        if (session?.connection)
          send(session.connection, {
            type: 'error',
            code: 'store_unavailable',
            message: error.message,
            ...(ref !== undefined ? { ref } : {})
          })
        return
      }
      logger.error({ err: error }, 'history write failed')
      if (session?.connection) close(session.connection, CloseCode.InternalError, REASONS.storage)
    },
    textFits(connection, text, ref) {
      if (text.length <= limits.maxTextLength) return true
      const sentence = `The text is ${text.length} characters; the limit is ${limits.maxTextLength}.`
      send(connection, { type: 'error', code: 'text_too_long', message: sentence, ref })
      return false
    },
    withinBudget(page) {
      const fitted = newestWithin(page.messages, replyBudget)
      return { messages: fitted.messages, hasMore: page.hasMore || fitted.cut }
    }
  }
}
