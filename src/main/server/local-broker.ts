/**
 * The Broker (broker.ts) in this process: a Map of members per room, a map of users to their
 * connection, and a nick table. Fan-out frames a message once (fanout.ts) and hands the same
 * frame to `deliver` for every member.
 */
import type { RoomSummary, ServerMessage, User } from '../../shared/protocol'
import type { Broker, Deliver, NickClaim } from './broker'
import { createFrame } from './fanout'
import { nickKey } from './nick-identity'
import { createPresenceBatcher } from './presence-batcher'

export function createLocalBroker<C>(deliver: Deliver<C>): Broker<C> {
  // Insertion order is join order: member pages and `joined.members` list the earliest first.
  const rooms = new Map<string, Map<C, User>>()
  const online = new Map<string, C>()
  const nicks = new Map<string, string>()

  function membersOf(room: string): Map<C, User> {
    let members = rooms.get(room)
    if (!members) {
      members = new Map()
      rooms.set(room, members)
    }
    return members
  }

  /** The hot path: one frame, no per-member allocation. */
  function publishNow(room: string, message: ServerMessage, except?: C): void {
    const members = rooms.get(room)
    if (!members || members.size === 0) return
    const frame = createFrame(message)
    for (const member of members.keys()) if (member !== except) deliver(member, frame)
  }

  const presence = createPresenceBatcher<C>(publishNow)

  return {
    addRoom(room) {
      membersOf(room)
    },
    removeRoom(room) {
      if (rooms.get(room)?.size === 0) rooms.delete(room)
    },
    hasRoom: (room) => rooms.has(room),
    get roomCount() {
      return rooms.size
    },
    roomSummaries(): RoomSummary[] {
      return [...rooms.entries()]
        .map(([name, members]) => ({ name, members: members.size }))
        .sort((a, b) => a.name.localeCompare(b.name))
    },

    join(room, connection, user) {
      membersOf(room).set(connection, user)
    },
    leave(room, connection) {
      rooms.get(room)?.delete(connection)
    },
    isMember: (room, connection) => rooms.get(room)?.has(connection) ?? false,
    memberCount: (room) => rooms.get(room)?.size ?? 0,
    members(room, offset, limit) {
      const users: User[] = []
      let skipped = 0
      for (const user of rooms.get(room)?.values() ?? []) {
        if (skipped++ < offset) continue
        if (users.length === limit) break
        users.push(user)
      }
      return users
    },
    presence(room, event, user, except) {
      presence.queue(room, event, user, rooms.get(room)?.size ?? 0, except)
    },

    publish(room, message, except) {
      presence.flush(room)
      publishNow(room, message, except)
    },

    attachUser(userId, connection) {
      online.set(userId, connection)
    },
    detachUser(userId, connection) {
      if (online.get(userId) === connection) online.delete(userId)
    },
    isOnline: (userId) => online.has(userId),
    publishToUser(userId, message) {
      const connection = online.get(userId)
      if (connection !== undefined) deliver(connection, createFrame(message))
    },

    claimNick(user): NickClaim {
      const key = nickKey(user.nick)
      const holder = nicks.get(key)
      if (holder !== undefined && holder !== user.id) return { ok: false }
      nicks.set(key, user.id)
      return { ok: true }
    },
    releaseNick(user) {
      const key = nickKey(user.nick)
      if (nicks.get(key) === user.id) nicks.delete(key)
    },

    dispose() {
      presence.dispose()
      rooms.clear()
      online.clear()
      nicks.clear()
    }
  }
}
