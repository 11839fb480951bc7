/**
 * What this node holds, kept for the other nodes: its members per room, its connected users and
 * its nick claims. The local broker keeps the connections to deliver to; this keeps what a
 * `state` announcement (the answer to a starting node's `hello`) lists, and tells whether a
 * change is news to the others.
 */
import type { User } from '../../../shared/protocol'
import type { NodeState } from './bus-events'

export interface OwnNodeState<C> {
  join(room: string, connection: C, user: User): void
  /** The user `connection` was a member of `room` as; undefined when it was not one. */
  leave(room: string, connection: C): User | undefined
  attach(userId: string, connection: C): void
  /** True when `connection` was the one `userId` was attached on (its detach is news). */
  detach(userId: string, connection: C): boolean
  claimNick(key: string, userId: string): void
  /** True when this node held `key` for `userId` (its release is news). */
  releaseNick(key: string, userId: string): boolean
  /** Another node claimed `key` for another user: it holds it now, not this node. */
  yieldNick(key: string, userId: string): void
  readonly onlineCount: number
  snapshot(): NodeState
  forgetMembers(): void
}

export function createOwnNodeState<C>(self: string): OwnNodeState<C> {
  const members = new Map<string, Map<C, User>>()
  const nicks = new Map<string, string>()
  const online = new Map<string, C>()
  return {
    join(room, connection, user) {
      let byConnection = members.get(room)
      if (!byConnection) members.set(room, (byConnection = new Map()))
      byConnection.set(connection, user)
    },
    leave(room, connection) {
      const user = members.get(room)?.get(connection)
      members.get(room)?.delete(connection)
      return user
    },
    attach: (userId, connection) => void online.set(userId, connection),
    detach(userId, connection) {
      if (online.get(userId) !== connection) return false
      online.delete(userId)
      return true
    },
    claimNick: (key, userId) => void nicks.set(key, userId),
    releaseNick(key, userId) {
      if (nicks.get(key) !== userId) return false
      nicks.delete(key)
      return true
    },
    yieldNick(key, userId) {
      if (nicks.get(key) !== undefined && nicks.get(key) !== userId) nicks.delete(key)
    },
    get onlineCount() {
      return online.size
    },
    snapshot() {
      const listed: [string, User][] = []
      for (const [room, byConnection] of members)
        for (const user of byConnection.values()) listed.push([room, user])
      return {
        k: 'state',
        node: self,
        members: listed,
        online: [...online.keys()],
        nicks: [...nicks.entries()],
        rooms: [...members.keys()]
      }
    },
    forgetMembers: () => members.clear()
  }
}
