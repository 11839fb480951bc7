/**
 * What the other nodes hold, as this node heard it on the bus: their members per room, the users
 * connected to them, their nick claims, and when each node was last heard. A node not heard from
 * for NODE_SILENT_MS (killed, cut off) is forgotten: its members leave (presence is sent), its
 * users go offline, and its nick claims give way like a dropped holder's.
 */
import type { User } from '../../../shared/protocol'
import type { PresenceEvent } from '../presence-batcher'
import type { BusEvent } from './bus-events'

/** A node not heard from for this long is gone. */
export const NODE_SILENT_MS = 4_000

/** What of this node's broker the other nodes' events reach: rooms, and presence to its members. */
export interface LocalRooms {
  addRoom(room: string): void
  presence(room: string, event: PresenceEvent, user: User): void
}

export interface RemoteNodes {
  /** Notes an event another node published; the ones about what it holds are applied. */
  heard(event: BusEvent): void
  /** Forgets every node not heard from for NODE_SILENT_MS. */
  sweep(now: number): void
  memberCount(room: string): number
  /** The other nodes' members of `room`, in the order this node heard of them. */
  members(room: string): User[]
  /** The node `userId` was last attached on (perhaps one that has since gone quiet). */
  holderOf(userId: string): string | undefined
  /** Whether `userId` is connected to a node that is still heard. */
  isOnline(userId: string): boolean
  /** The user another node claimed the nick `key` for. */
  nickHolder(key: string): string | undefined
  /** Users on each node heard of (0 for none), not counting those also connected here. */
  onlineByNode(onlineHere: (userId: string) => boolean): Record<string, number>
  forgetMembers(): void
}

export function createRemoteNodes(self: string, local: LocalRooms): RemoteNodes {
  /** Per room, keyed `${node} ${userId}`. */
  const members = new Map<string, Map<string, User>>()
  const online = new Map<string, string>()
  const nicks = new Map<string, { userId: string; node: string }>()
  const lastHeard = new Map<string, number>()

  function membersOf(room: string): Map<string, User> {
    let byKey = members.get(room)
    if (!byKey) members.set(room, (byKey = new Map()))
    return byKey
  }

  function forget(node: string): void {
    lastHeard.delete(node)
    for (const [room, byKey] of members) {
      for (const [memberKey, user] of byKey) {
        if (!memberKey.startsWith(`${node} `)) continue
        byKey.delete(memberKey)
        local.presence(room, 'leave', user)
      }
    }
    for (const [userId, holder] of online) if (holder === node) online.delete(userId)
  }

  function apply(event: BusEvent): void {
    switch (event.k) {
      case 'join':
        local.addRoom(event.room)
        membersOf(event.room).set(`${event.node} ${event.user.id}`, event.user)
        return
      case 'leave':
        members.get(event.room)?.delete(`${event.node} ${event.user.id}`)
        return
      case 'presence':
        local.presence(event.room, event.event, event.user)
        return
      case 'attach':
        online.set(event.userId, event.node)
        return
      case 'detach':
        if (online.get(event.userId) === event.node) online.delete(event.userId)
        return
      case 'nick':
        nicks.set(event.key, { userId: event.userId, node: event.node })
        return
      case 'unnick':
        if (nicks.get(event.key)?.userId === event.userId) nicks.delete(event.key)
        return
      case 'bye':
        forget(event.node)
        return
      case 'state':
        for (const room of event.rooms) local.addRoom(room)
        for (const [room, user] of event.members) {
          local.addRoom(room)
          membersOf(room).set(`${event.node} ${user.id}`, user)
        }
        for (const userId of event.online) online.set(userId, event.node)
        for (const [key, userId] of event.nicks) nicks.set(key, { userId, node: event.node })
        return
    }
  }

  return {
    heard(event) {
      if (event.node !== self) lastHeard.set(event.node, Date.now())
      apply(event)
    },
    sweep(now) {
      for (const [node, at] of lastHeard) if (now - at > NODE_SILENT_MS) forget(node)
    },
    memberCount: (room) => members.get(room)?.size ?? 0,
    members: (room) => [...(members.get(room)?.values() ?? [])],
    holderOf: (userId) => online.get(userId),
    isOnline(userId) {
      const node = online.get(userId)
      return node !== undefined && lastHeard.has(node)
    },
    nickHolder: (key) => nicks.get(key)?.userId,
    onlineByNode(onlineHere) {
      const counts: Record<string, number> = {}
      for (const node of lastHeard.keys()) counts[node] = 0
      for (const [userId, node] of online) if (lastHeard.has(node) && !onlineHere(userId)) counts[node]! += 1
      return counts
    },
    forgetMembers: () => members.clear()
  }
}
