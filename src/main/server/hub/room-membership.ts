/**
 * The membership check every room-scoped message starts with, in a module of its own so that the
 * concern modules using it (rooms, messages, history, search, changes) do not import each other.
 */
import type { Connection } from './connection'
import type { HubContext } from './hub-context'
import type { Session } from '../session-registry'

/** Whether the session is in `room`; answers `not_in_room` when it is not. */
export function requireRoom(
  ctx: HubContext,
  connection: Connection,
  session: Session<Connection>,
  room: string,
  ref: string
): boolean {
  if (session.rooms.has(room)) return true
  ctx.sendError(connection, 'not_in_room', `You are not in #${room}; join it first.`, ref)
  return false
}
