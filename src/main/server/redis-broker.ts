/**
 * The Broker (broker.ts) for a cluster: this node's members, connections and nicks in a local
 * broker (local-broker.ts), and what the other nodes hold mirrored from one Redis pub/sub
 * channel (redis/remote-nodes.ts). Every node publishes its joins, leaves, attaches, detaches and
 * nick claims there, and a heartbeat; a node that starts says `hello` and the others announce
 * their state (redis/node-state.ts). A node whose heartbeat stops (killed, cut off) is forgotten
 * after NODE_SILENT_MS: its members leave (presence is sent), its users go offline, and its nick
 * claims give way like a dropped holder's. *
 * Room messages do not travel here: the Redis store publishes them in id order from the script
 * that stores them (redis-store.ts), and the server hands other nodes' appends to `publish`
 * locally (`publishLocal`). Everything else published to a room (typing) is relayed to the other
 * nodes, and `publishToUser` reaches a user on whichever node holds its connection.
 *
 * The Broker's reads are synchronous, so nick uniqueness is checked against the mirror: two nodes
 * claiming one nick within the same pub/sub round trip (well under a millisecond on one LAN) can
 * both win; a later claim is refused with 4409 as on one node.
 */
import type { RedisClientType } from 'redis'
import type { RoomSummary, ServerMessage } from '../../shared/protocol'
import type { Broker, Deliver, NickClaim } from './broker'
import { createLocalBroker } from './local-broker'
import { nickKey } from './nick-identity'
import type { BusEvent } from './redis/bus-events'
import { connectAtStart, createRedisClient } from './redis/connection'
import { createOwnNodeState } from './redis/node-state'
import { createRemoteNodes } from './redis/remote-nodes'

const BEAT_EVERY_MS = 1_000

/** The two connections the broker talks on, opened before the (synchronous) broker is made. */
export interface RedisBus {
  nodeId: string
  publish(event: BusEvent): void
  /** Returns the function that removes `listener`. */
  onEvent(listener: (event: BusEvent) => void): () => void
  close(): Promise<void>
}

export async function connectRedisBus(url: string, prefix: string, nodeId: string): Promise<RedisBus> {
  const channel = `${prefix}broker`
  const pub: RedisClientType = createRedisClient(url)
  const sub: RedisClientType = pub.duplicate()
  pub.on('error', () => undefined)
  sub.on('error', () => undefined)
  const listeners = new Set<(event: BusEvent) => void>()
  await connectAtStart(pub, url)
  await connectAtStart(sub, url)
  await sub.subscribe(channel, (payload) => {
    const event = JSON.parse(payload) as BusEvent
    if (event.node === nodeId) return
    for (const listener of listeners) listener(event)
  })
  return {
    nodeId,
    publish(event) {
      pub.publish(channel, JSON.stringify(event)).catch(() => undefined)
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      await Promise.allSettled([sub.close(), pub.close()])
    }
  }
}

/** The cluster broker, plus what the server needs beyond the seam. */
export interface RedisBroker<C> extends Broker<C> {
  /** A message another node stored, to this node's members only (it already went to the others). */
  publishLocal(room: string, message: ServerMessage): void
  /** Users connected on each node this one knows of (itself included). */
  onlineByNode(): Record<string, number>
}

export function createRedisBroker<C>(deliver: Deliver<C>, bus: RedisBus): RedisBroker<C> {
  const local = createLocalBroker<C>(deliver)
  const self = bus.nodeId
  const remote = createRemoteNodes(self, local)
  const own = createOwnNodeState<C>(self)

  const stopListening = bus.onEvent((event) => {
    remote.heard(event)
    if (event.k === 'nick') own.yieldNick(event.key, event.userId)
    else if (event.k === 'publish') local.publish(event.room, event.message)
    else if (event.k === 'user' && event.to === self) local.publishToUser(event.userId, event.message)
    else if (event.k === 'hello') bus.publish(own.snapshot())
  })
  bus.publish({ k: 'hello', node: self })

  const beat = setInterval(() => {
    bus.publish({ k: 'beat', node: self })
    remote.sweep(Date.now())
  }, BEAT_EVERY_MS)
  beat.unref()

  return {
    addRoom: (room) => local.addRoom(room),
    removeRoom: (room) => local.removeRoom(room),
    hasRoom: (room) => local.hasRoom(room),
    get roomCount() {
      return local.roomCount
    },
    roomSummaries(): RoomSummary[] {
      return local
        .roomSummaries()
        .map(({ name, members }) => ({ name, members: members + remote.memberCount(name) }))
    },
    join(room, connection, user) {
      local.join(room, connection, user)
      own.join(room, connection, user)
      bus.publish({ k: 'join', node: self, room, user })
    },
    leave(room, connection) {
      local.leave(room, connection)
      const user = own.leave(room, connection)
      if (user) bus.publish({ k: 'leave', node: self, room, user })
    },
    isMember: (room, connection) => local.isMember(room, connection),
    memberCount: (room) => local.memberCount(room) + remote.memberCount(room),
    members(room, offset, limit) {
      const mine = local.members(room, offset, limit)
      if (mine.length === limit) return mine
      const skip = Math.max(0, offset - local.memberCount(room))
      return [...mine, ...remote.members(room).slice(skip, skip + limit - mine.length)]
    },
    presence(room, event, user, except) {
      local.presence(room, event, user, except)
      bus.publish({ k: 'presence', node: self, room, event, user })
    },
    publish(room, message, except) {
      local.publish(room, message, except)
      // Room messages reach the other nodes from the store, in id order; the rest goes from here.
      if (message.type !== 'message') bus.publish({ k: 'publish', node: self, room, message })
    },
    publishLocal(room, message) {
      local.publish(room, message)
    },
    attachUser(userId, connection) {
      local.attachUser(userId, connection)
      own.attach(userId, connection)
      bus.publish({ k: 'attach', node: self, userId })
    },
    detachUser(userId, connection) {
      local.detachUser(userId, connection)
      if (own.detach(userId, connection)) bus.publish({ k: 'detach', node: self, userId })
    },
    isOnline: (userId) => local.isOnline(userId) || remote.isOnline(userId),
    publishToUser(userId, message) {
      if (local.isOnline(userId)) return local.publishToUser(userId, message)
      const node = remote.holderOf(userId)
      if (node !== undefined) bus.publish({ k: 'user', node: self, to: node, userId, message })
    },
    claimNick(user): NickClaim {
      const key = nickKey(user.nick)
      const holder = remote.nickHolder(key)
      // Held on another (live) node, connected or dropped in its resume window: not free here either.
      if (holder !== undefined && holder !== user.id) return { ok: false }
      const claim = local.claimNick(user)
      if (!claim.ok) return claim
      own.claimNick(key, user.id)
      bus.publish({ k: 'nick', node: self, key, userId: user.id })
      return { ok: true }
    },
    releaseNick(user) {
      local.releaseNick(user)
      const key = nickKey(user.nick)
      if (own.releaseNick(key, user.id)) bus.publish({ k: 'unnick', node: self, key, userId: user.id })
    },
    onlineByNode: () => ({
      [self]: own.onlineCount,
      ...remote.onlineByNode((userId) => local.isOnline(userId))
    }),
    dispose() {
      stopListening()
      clearInterval(beat)
      bus.publish({ k: 'bye', node: self })
      local.dispose()
      own.forgetMembers()
      remote.forgetMembers()
    }
  }
}
