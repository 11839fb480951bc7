/**
 * The Broker (broker.ts) for a cluster: this node's members, connections and nicks in a local
 * broker (local-broker.ts), and what the other nodes hold mirrored from one Redis pub/sub
 * channel. Every node publishes its joins, leaves, attaches, detaches and nick claims there, and
 * a heartbeat; a node that starts asks the others to announce their state. A node whose heartbeat
 * stops (killed, cut off) is forgotten after NODE_SILENT_MS: its members leave (presence is sent),
 * its users go offline, and its nick claims give way like a dropped holder's.
 *
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
import type { RoomSummary, ServerMessage, User } from '../../shared/protocol'
import type { Broker, Deliver, NickClaim } from './broker'
import { createLocalBroker } from './local-broker'
import { nickKey } from './nick-identity'
import type { PresenceEvent } from './presence-batcher'
import { connectAtStart, createRedisClient } from './redis/connection'

const BEAT_EVERY_MS = 1_000
/** A node not heard from for this long is gone. */
export const NODE_SILENT_MS = 4_000

type BusEvent =
  | { k: 'join' | 'leave'; node: string; room: string; user: User }
  | { k: 'presence'; node: string; room: string; event: PresenceEvent; user: User }
  | { k: 'attach' | 'detach'; node: string; userId: string }
  | { k: 'nick'; node: string; key: string; userId: string }
  | { k: 'unnick'; node: string; key: string; userId: string }
  | { k: 'publish'; node: string; room: string; message: ServerMessage }
  | { k: 'user'; node: string; to: string; userId: string; message: ServerMessage }
  | { k: 'beat' | 'bye' | 'hello'; node: string }
  | {
      k: 'state'
      node: string
      members: [string, User][]
      online: string[]
      nicks: [string, string][]
      rooms: string[]
    }

/** The two connections the broker talks on, opened before the (synchronous) broker is made. */
export interface RedisBus {
  nodeId: string
  publish(event: BusEvent): void
  onEvent(listener: (event: BusEvent) => void): void
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
  /** Per room, the other nodes' members: `${node} ${userId}` → user, in the order we heard of them. */
  const remoteMembers = new Map<string, Map<string, User>>()
  const remoteOnline = new Map<string, string>()
  const remoteNicks = new Map<string, { userId: string; node: string }>()
  const lastHeard = new Map<string, number>()
  /** This node's own members (the local broker keeps connections; this keeps what to announce). */
  const ownMembers = new Map<string, Map<C, User>>()
  const ownNicks = new Map<string, string>()
  const ownOnline = new Map<string, C>()

  function remoteOf(room: string): Map<string, User> {
    let members = remoteMembers.get(room)
    if (!members) {
      members = new Map()
      remoteMembers.set(room, members)
    }
    return members
  }

  function heard(node: string): void {
    if (node !== self) lastHeard.set(node, Date.now())
  }

  function forget(node: string): void {
    lastHeard.delete(node)
    for (const [room, members] of remoteMembers) {
      for (const [memberKey, user] of members) {
        if (!memberKey.startsWith(`${node} `)) continue
        members.delete(memberKey)
        local.presence(room, 'leave', user)
      }
    }
    for (const [userId, holder] of remoteOnline) if (holder === node) remoteOnline.delete(userId)
  }

  function announceState(): void {
    const members: [string, User][] = []
    for (const [room, byConnection] of ownMembers)
      for (const user of byConnection.values()) members.push([room, user])
    bus.publish({
      k: 'state',
      node: self,
      members,
      online: [...ownOnline.keys()],
      nicks: [...ownNicks.entries()],
      rooms: [...ownMembers.keys()]
    })
  }

  bus.onEvent((event) => {
    heard(event.node)
    switch (event.k) {
      case 'join':
        local.addRoom(event.room)
        remoteOf(event.room).set(`${event.node} ${event.user.id}`, event.user)
        break
      case 'leave':
        remoteMembers.get(event.room)?.delete(`${event.node} ${event.user.id}`)
        break
      case 'presence':
        local.presence(event.room, event.event, event.user)
        break
      case 'attach':
        remoteOnline.set(event.userId, event.node)
        break
      case 'detach':
        if (remoteOnline.get(event.userId) === event.node) remoteOnline.delete(event.userId)
        break
      case 'nick':
        remoteNicks.set(event.key, { userId: event.userId, node: event.node })
        if (ownNicks.get(event.key) !== undefined && ownNicks.get(event.key) !== event.userId)
          ownNicks.delete(event.key)
        break
      case 'unnick':
        if (remoteNicks.get(event.key)?.userId === event.userId) remoteNicks.delete(event.key)
        break
      case 'publish':
        local.publish(event.room, event.message)
        break
      case 'user':
        if (event.to === self) local.publishToUser(event.userId, event.message)
        break
      case 'hello':
        announceState()
        break
      case 'bye':
        forget(event.node)
        break
      case 'state':
        for (const room of event.rooms) local.addRoom(room)
        for (const [room, user] of event.members) {
          local.addRoom(room)
          remoteOf(room).set(`${event.node} ${user.id}`, user)
        }
        for (const userId of event.online) remoteOnline.set(userId, event.node)
        for (const [key, userId] of event.nicks) remoteNicks.set(key, { userId, node: event.node })
        break
      case 'beat':
        break
    }
  })
  bus.publish({ k: 'hello', node: self })

  const beat = setInterval(() => {
    bus.publish({ k: 'beat', node: self })
    const now = Date.now()
    for (const [node, at] of lastHeard) if (now - at > NODE_SILENT_MS) forget(node)
  }, BEAT_EVERY_MS)
  beat.unref()

  function remoteUserOnline(userId: string): boolean {
    const node = remoteOnline.get(userId)
    return node !== undefined && lastHeard.has(node)
  }

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
        .map(({ name, members }) => ({ name, members: members + (remoteMembers.get(name)?.size ?? 0) }))
    },
    join(room, connection, user) {
      local.join(room, connection, user)
      let members = ownMembers.get(room)
      if (!members) {
        members = new Map()
        ownMembers.set(room, members)
      }
      members.set(connection, user)
      bus.publish({ k: 'join', node: self, room, user })
    },
    leave(room, connection) {
      const user = ownMembers.get(room)?.get(connection)
      local.leave(room, connection)
      ownMembers.get(room)?.delete(connection)
      if (user) bus.publish({ k: 'leave', node: self, room, user })
    },
    isMember: (room, connection) => local.isMember(room, connection),
    memberCount: (room) => local.memberCount(room) + (remoteMembers.get(room)?.size ?? 0),
    members(room, offset, limit) {
      const mine = local.members(room, offset, limit)
      if (mine.length === limit) return mine
      const skip = Math.max(0, offset - local.memberCount(room))
      const others = [...(remoteMembers.get(room)?.values() ?? [])].slice(skip, skip + limit - mine.length)
      return [...mine, ...others]
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
      ownOnline.set(userId, connection)
      bus.publish({ k: 'attach', node: self, userId })
    },
    detachUser(userId, connection) {
      local.detachUser(userId, connection)
      if (ownOnline.get(userId) !== connection) return
      ownOnline.delete(userId)
      bus.publish({ k: 'detach', node: self, userId })
    },
    isOnline: (userId) => local.isOnline(userId) || remoteUserOnline(userId),
    publishToUser(userId, message) {
      if (local.isOnline(userId)) return local.publishToUser(userId, message)
      const node = remoteOnline.get(userId)
      if (node !== undefined) bus.publish({ k: 'user', node: self, to: node, userId, message })
    },
    claimNick(user): NickClaim {
      const key = nickKey(user.nick)
      const remote = remoteNicks.get(key)
      // Held on another (live) node, connected or dropped in its resume window: not free here either.
      if (remote && remote.userId !== user.id) return { ok: false }
      const claim = local.claimNick(user)
      if (!claim.ok) return claim
      ownNicks.set(key, user.id)
      bus.publish({ k: 'nick', node: self, key, userId: user.id })
      return { ok: true }
    },
    releaseNick(user) {
      local.releaseNick(user)
      const key = nickKey(user.nick)
      if (ownNicks.get(key) !== user.id) return
      ownNicks.delete(key)
      bus.publish({ k: 'unnick', node: self, key, userId: user.id })
    },
    onlineByNode() {
      const counts: Record<string, number> = { [self]: ownOnline.size }
      for (const node of lastHeard.keys()) counts[node] = 0
      for (const [userId, node] of remoteOnline)
        if (lastHeard.has(node) && !local.isOnline(userId)) counts[node]! += 1
      return counts
    },
    dispose() {
      clearInterval(beat)
      bus.publish({ k: 'bye', node: self })
      local.dispose()
      ownMembers.clear()
      remoteMembers.clear()
    }
  }
}
