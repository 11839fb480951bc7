/**
 * Rooms and presence: join, leave, the room list, member pages and typing. Rooms are created by
 * joining, up to `maxRooms`; membership and presence live in the Broker.
 */
import type { HandlersFor } from './dispatch'
import type { HistoryReplies } from './history'
import type { HubContext } from './hub-context'
import type { Connection } from './connection'
import { DEFAULT_ROOM } from '../../../shared/protocol'
import type { Session } from '../session-registry'
import { createTokenBucket, type TokenBucket } from '../token-bucket'
import { requireRoom } from './room-membership'

/** An existing room, or room for a new one under the cap. */
export function roomAvailable(ctx: HubContext, room: string): boolean {
  return ctx.broker.hasRoom(room) || ctx.broker.roomCount < ctx.options.maxRooms
}

export function roomLimitSentence(ctx: HubContext): string {
  return `This server has reached its limit of ${ctx.options.maxRooms} rooms; join an existing one.`
}

/**
 * New rooms per address and per session: a burst, then a steady rate. 20 sockets from one address
 * created 1,000 rooms in 14 s in the attack run and used up the cap for good; now one address
 * needs over an hour for that. The address burst lets a classroom behind one NAT (or the
 * benchmarks' 50 clients per address, each in its own room) start at once.
 */
const CREATE_PER_ADDRESS = { burst: 50, perSecond: 1 / 5 }
const CREATE_PER_SESSION = { burst: 10, perSecond: 1 / 10 }
/** Addresses whose creation bucket is kept; the least recently creating is forgotten first. */
const MAX_CREATING_ADDRESSES = 10_000
const DEFAULT_EMPTY_ROOM_EXPIRY_MS = 60 * 60_000

export interface RoomConcern {
  handlers: HandlersFor<'join' | 'leave' | 'rooms' | 'members' | 'typing'>
  dispose(): void
}

export function createRooms(ctx: HubContext, history: HistoryReplies): RoomConcern {
  const { store, broker, limits } = ctx
  const byAddress = new Map<string, TokenBucket>()
  const bySession = new WeakMap<Session<Connection>, TokenBucket>()

  /** Whether this connection may create one more room now (and takes it from both allowances). */
  function mayCreate(connection: Connection, session: Session<Connection>): boolean {
    const address = connection.info.remoteAddress
    let mine = byAddress.get(address)
    if (mine) byAddress.delete(address)
    else mine = createTokenBucket(CREATE_PER_ADDRESS.burst, CREATE_PER_ADDRESS.perSecond)
    byAddress.set(address, mine)
    if (byAddress.size > MAX_CREATING_ADDRESSES) byAddress.delete(byAddress.keys().next().value as string)
    let own = bySession.get(session)
    if (!own)
      bySession.set(
        session,
        (own = createTokenBucket(CREATE_PER_SESSION.burst, CREATE_PER_SESSION.perSecond))
      )
    // The session's own allowance first: its refusals must not use up its neighbours' address allowance.
    return own.take() && mine.take()
  }

  // Empty rooms expire, so the cap cannot be used up for good: a room with no member and no
  // session (connected or resumable) in it leaves the broker after the expiry; its history stays.
  const expiryMs = ctx.options.emptyRoomExpiryMs ?? DEFAULT_EMPTY_ROOM_EXPIRY_MS
  const emptySince = new Map<string, number>()
  function sweep(now = Date.now()): void {
    const held = new Set<string>()
    for (const session of ctx.sessions.all()) for (const room of session.rooms) held.add(room)
    for (const { name, members } of broker.roomSummaries()) {
      if (name === DEFAULT_ROOM || members > 0 || held.has(name)) {
        emptySince.delete(name)
        continue
      }
      const since = emptySince.get(name)
      if (since === undefined) emptySince.set(name, now)
      else if (now - since >= expiryMs) {
        broker.removeRoom(name)
        emptySince.delete(name)
      }
    }
  }
  const sweeper = setInterval(sweep, Math.max(10, Math.min(60_000, expiryMs / 2)))
  sweeper.unref()

  return { handlers: roomHandlers(), dispose: () => clearInterval(sweeper) }

  function roomHandlers(): RoomConcern['handlers'] {
    return {
      join(connection, session, { room }) {
        if (!roomAvailable(ctx, room)) {
          ctx.sendError(connection, 'invalid_room', roomLimitSentence(ctx), 'join')
          return
        }
        if (!broker.hasRoom(room) && !mayCreate(connection, session)) {
          ctx.sendError(
            connection,
            'rate_limited',
            'You are creating rooms too fast: join an existing one, or try again in a minute.',
            'join'
          )
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
}
