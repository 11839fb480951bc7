/**
 * One handler per client message type, in one table typed from the protocol's schemas: a type
 * added to `clientMessageSchema` without a handler in some concern's module fails the typecheck
 * where the table is assembled (chat-hub.ts).
 */
import {
  isValidRoomName,
  parseClientMessage,
  type ClientMessage,
  type ClientMessageOf,
  type ClientMessageType,
  type ErrorCode
} from '../../../shared/protocol'
import type { Session } from '../session-registry'
import type { Connection } from './connection'
import { ROOM_NAME_RULE, type HubContext } from './hub-context'

/** Handles one validated message from a connection that has said hello. */
export type Handler<M extends ClientMessage> = (
  connection: Connection,
  session: Session<Connection>,
  message: M
) => void

export type HandlerTable = { [K in ClientMessageType]: Handler<ClientMessageOf<K>> }

/** What a concern's module contributes: handlers for some of the types. */
export type HandlersFor<K extends ClientMessageType> = Pick<HandlerTable, K>

/** The shared schema reports a bad room name as invalid_message; the protocol names it invalid_room. */
function isBadRoomName(code: ErrorCode, raw: string): boolean {
  if (code !== 'invalid_message') return false
  const value: unknown = JSON.parse(raw)
  if (typeof value !== 'object' || value === null || !('room' in value)) return false
  return typeof value.room === 'string' && !isValidRoomName(value.room)
}

/** Parses one frame and hands it to its type's handler; a frame that does not parse is answered. */
export function createDispatcher(
  ctx: HubContext,
  table: HandlerTable
): (connection: Connection, session: Session<Connection>, raw: string) => void {
  return (connection, session, raw) => {
    const parsed = parseClientMessage(raw)
    if (!parsed.ok) {
      if (isBadRoomName(parsed.code, raw)) ctx.sendError(connection, 'invalid_room', ROOM_NAME_RULE)
      else ctx.sendError(connection, parsed.code, parsed.message)
      return
    }
    const message = parsed.value
    // The table's type ties each key to its message type; TypeScript cannot follow the
    // correlation through the index, hence the one widening here.
    ;(table[message.type] as Handler<ClientMessage>)(connection, session, message)
  }
}
