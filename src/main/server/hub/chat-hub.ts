/**
 * Protocol v1 behind the socket, composed from one module per concern: sessions (hello, resume),
 * rooms and presence, room messages, DMs, history, and the admin API. Each contributes handlers
 * to one dispatch table typed from the protocol, so a client message type without a handler
 * fails the typecheck here. The hub knows connections only through `Connection`, state only
 * through the Store and the Broker.
 */
import { CloseCode } from '../../../shared/close-codes'
import { DEFAULT_ROOM, parseClientMessage } from '../../../shared/protocol'
import { createAdminApi, type AdminApi } from './admin'
import type { Connection } from './connection'
import { createDirectMessageHandlers } from './direct-messages'
import { createDispatcher, type HandlerTable } from './dispatch'
import { createHistory } from './history'
import { createHubContext, REASONS, type ChatHubOptions } from './hub-context'
import { createMessageChangeHandlers } from './message-changes'
import { createModerationHub } from './moderation'
import type { ModerationHub } from '../moderation/moderation-routes'
import { createRoomMessageHandlers } from './room-messages'
import { createRooms } from './rooms'
import { createSearchHandlers } from './search'
import { createSessions } from './sessions'

export interface ChatHub extends AdminApi {
  /** Users and their sessions for the moderation routes (kick, ban) and token-taking HTTP routes. */
  readonly moderation: ModerationHub
  opened(connection: Connection): void
  received(connection: Connection, data: string): void
  /** The socket is gone (closed by either side or terminated). Idempotent. */
  detach(connection: Connection): void
  /** Closes one connection on the server's initiative, detaching it at once. */
  close(connection: Connection, code: number, reason: string): void
  dispose(): void
}

export function createChatHub(options: ChatHubOptions): ChatHub {
  const ctx = createHubContext(options)
  const { store, broker, limits } = ctx
  for (const room of store.roomNames()) broker.addRoom(room)
  if (store.ensureRoom(DEFAULT_ROOM)) broker.addRoom(DEFAULT_ROOM)

  const history = createHistory(ctx)
  const sessions = createSessions(ctx, history)
  const rooms = createRooms(ctx, history)
  const table: HandlerTable = {
    ...sessions.handlers,
    ...rooms.handlers,
    ...createRoomMessageHandlers(ctx),
    ...createMessageChangeHandlers(ctx),
    ...createSearchHandlers(ctx),
    ...createDirectMessageHandlers(ctx),
    ...history.handlers
  }
  const dispatch = createDispatcher(ctx, table)

  function receive(connection: Connection, data: string): void {
    if (connection.closing) return
    connection.info.messagesIn++
    ctx.log.touched(connection)
    if (!connection.bucket.take()) {
      ctx.close(connection, CloseCode.RateLimited, REASONS.rateLimited)
      return
    }
    const session = connection.session
    if (session) {
      dispatch(connection, session, data)
      return
    }
    const parsed = parseClientMessage(data)
    if (!parsed.ok || parsed.value.type !== 'hello') {
      ctx.close(connection, CloseCode.NotHello, REASONS.notHello)
      return
    }
    sessions.hello(connection, parsed.value)
  }

  return {
    ...createAdminApi(ctx),
    moderation: createModerationHub(ctx),
    opened(connection) {
      connection.helloTimer = setTimeout(() => {
        if (!connection.session) ctx.close(connection, CloseCode.HelloTimeout, REASONS.helloTimeout)
      }, limits.helloTimeoutMs)
    },
    received(connection, data) {
      try {
        receive(connection, data)
      } catch (error) {
        // A bug in one handler must cost one connection, never the whole server.
        ctx.logger.error({ err: error, conn: connection.info.id }, 'message handler failed')
        ctx.close(connection, CloseCode.InternalError, REASONS.handlerFailed)
      }
    },
    detach: ctx.detach,
    close: ctx.close,
    dispose() {
      sessions.dispose()
      rooms.dispose()
      ctx.sessions.dispose()
      broker.dispose()
    }
  }
}
