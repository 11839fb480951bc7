/**
 * Rooms and presence: join, leave, the room list, member pages and typing. Rooms are created by
 * joining, up to `maxRooms`; membership and presence live in the Broker.
 */
import type { HandlersFor } from './dispatch'
import type { HistoryReplies } from './history'
import type { HubContext } from './hub-context'
import type { Connection } from './connection'
import type { Session } from '../session-registry'

/** An existing room, or room for a new one under the cap. */
export function roomAvailable(ctx: HubContext, room: string): boolean {
  return ctx.broker.hasRoom(room) || ctx.broker.roomCount < ctx.options.maxRooms
}

export function roomLimitSentence(ctx: HubContext): string {
  return `This server has reached its limit of ${ctx.options.maxRooms} rooms; join an existing one.`
}

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

export function createRoomHandlers(
  ctx: HubContext,
  history: HistoryReplies
): HandlersFor<'join' | 'leave' | 'rooms' | 'members' | 'typing'> {
  const { store, broker, limits } = ctx
  return {
    join(connection, session, { room }) {
      if (!roomAvailable(ctx, room)) {
        ctx.sendError(connection, 'invalid_room', roomLimitSentence(ctx), 'join')
        return
      }
      if (!session.rooms.has(room)) {
        store.ensureRoom(room)
        session.rooms.add(room)
        ctx.persist(session)
        broker.join(room, connection, session.user)
        broker.presence(room, 'join', session.user, connection)
      }
      history.sendJoined(connection, room, undefined)
    },
    leave(connection, session, { room }) {
      if (!requireRoom(ctx, connection, session, room, 'leave')) return
      session.rooms.delete(room)
      ctx.persist(session)
      broker.leave(room, connection)
      ctx.send(connection, { type: 'left', room })
      broker.presence(room, 'leave', session.user)
    },
    rooms(connection) {
      ctx.send(connection, { type: 'rooms', rooms: broker.roomSummaries() })
    },
    members(connection, session, message) {
      if (!requireRoom(ctx, connection, session, message.room, 'members')) return
      const offset = message.offset ?? 0
      const limit = Math.min(message.limit ?? limits.membersPageMax, limits.membersPageMax)
      ctx.send(connection, {
        type: 'members',
        room: message.room,
        offset,
        members: broker.members(message.room, offset, limit),
        total: broker.memberCount(message.room)
      })
    },
    typing(connection, session, { room }) {
      if (!requireRoom(ctx, connection, session, room, 'typing')) return
      broker.publish(room, { type: 'typing', room, user: session.user }, connection)
    }
  }
}
