/**
 * The Store (store.ts) on Redis, shared by every node started with the same `--redis` URL.
 *
 * Writes: one Lua script per append gives the message its id, adds it to the room's Stream and
 * PUBLISHes it in one atomic step (redis/history-wire.ts), so ids are cluster-wide, increase per
 * room, and every node receives the messages of a room in id order. An append's `done` runs only
 * after Redis answered the script (redis/appends.ts).
 *
 * Reads: the Store's reads are synchronous, so each node keeps a mirror of the history
 * (redis/history-mirror.ts), loaded from the Streams at open and kept current by the published
 * messages, each log applied strictly in id order (redis/ordered-log.ts). The script's answer
 * and the published copy are both offered, the first applies it, and a local append's `done`
 * runs when its message is applied, so this node's members see its own and the other nodes'
 * messages in the one order.
 *
 * Sessions live in a hash with the node that holds them, mirrored on every node
 * (redis/session-mirror.ts); a node's heartbeat key expires when it dies (redis/node-liveness.ts),
 * and its sessions are then another node's to restore. redis/mirror-sync.ts decides when the
 * mirrors read everything again (open, the subscriber back, a new epoch).
 */
import type { RedisClientType } from 'redis'
import type { LoadedSession, Store } from './store'
import { createAppends, type AppendDone } from './redis/appends'
import { connectAtStart, createRedisClient } from './redis/connection'
import { createHistoryMirror, type AppliedMessage } from './redis/history-mirror'
import { addRoom, dmBody, messageBody, type AppendBody } from './redis/history-wire'
import { startMirrorSync } from './redis/mirror-sync'
import { newNodeId, nodeLiveness } from './redis/node-liveness'
import { createSessionMirror } from './redis/session-mirror'
import { storeKeys } from './redis/store-keys'

/** A message applied to the mirror that no append of this node was waiting for. */
export type RemoteAppend = AppliedMessage

export interface RedisStore extends Store {
  readonly nodeId: string
  /** Changes when Redis lost the history (a new, empty keyspace): ids start again. */
  readonly epoch: string
  readonly connected: boolean
  /**
   * Every message applied to the mirror that no append of this node is waiting for (another
   * node's, or one whose answer was lost), in id order per room.
   */
  onRemoteAppend(listener: (event: RemoteAppend) => void): () => void
  /** A session any node saved (for a resume on this node after its own node died). */
  sessionByTokenHash(tokenHash: string): LoadedSession | undefined
  /** Whether the node that holds this session is alive (its heartbeat has not expired). */
  sessionHolderAlive(tokenHash: string): Promise<boolean>
  /** Resolves once everything queued was answered by Redis. */
  flush(): Promise<void>
}

export interface RedisStoreOptions {
  url: string
  /** Key prefix: several clusters (or tests) can share one Redis. */
  prefix?: string
  nodeId?: string
  onError?: (error: Error) => void
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const nodeId = options.nodeId ?? newNodeId()
  const keys = storeKeys(options.prefix ?? 'parley:')
  const reportError = (error: unknown) =>
    options.onError?.(error instanceof Error ? error : new Error(String(error)))
  const client: RedisClientType = createRedisClient(options.url)
  const subscriber: RedisClientType = client.duplicate()
  client.on('error', reportError)
  subscriber.on('error', reportError)

  const remoteListeners = new Set<(event: RemoteAppend) => void>()
  const appends = createAppends({ client, keys, nodeId, answered: (entry) => history.offer(entry) })
  const history = createHistoryMirror({
    client,
    keys,
    reportError,
    applied(message, origin) {
      const value = message.kind === 'message' ? message.message : message.dm
      // Another node's, or this node's whose answer was lost (Redis went away after running the
      // script; its sender was refused and may resend, found by cid): this node's members get it.
      if (!appends.settle(value, origin)) for (const listener of remoteListeners) listener(message)
    }
  })
  const liveness = nodeLiveness(client, keys.node, nodeId)
  const sessions = createSessionMirror({ client, keys, nodeId, liveness, reportError })
  let closed = false

  await connectAtStart(client, options.url)
  await connectAtStart(subscriber, options.url)
  await subscriber.subscribe(keys.events, (payload) => history.heard(payload))
  await subscriber.subscribe(keys.sessionEvents, (payload) => sessions.heard(payload))
  const sync = await startMirrorSync({
    client,
    subscriber,
    epochKey: keys.epoch,
    liveness,
    reset: () => history.reset(),
    async reload() {
      await history.readAll()
      await sessions.load()
    },
    reportError
  })
  // Session writes that failed while Redis was away are written once it is back.
  client.on('ready', () => {
    if (!closed) sessions.scheduleWrites()
  })

  function append(room: string | undefined, body: AppendBody, done: AppendDone): void {
    if (closed) throw new Error('The store is closed.')
    appends.append(room, body, done)
  }

  const store: RedisStore = {
    nodeId,
    get epoch() {
      return sync.epoch
    },
    get connected() {
      return client.isReady && subscriber.isReady
    },
    appendMessage(room, from, text, done, cid, _files, extras) {
      append(room, messageBody(from, text, cid, extras), done as AppendDone)
    },
    appendDm(from, to, text, done, cid) {
      append(undefined, dmBody(from, to, text, cid), done as AppendDone)
    },
    messageById: history.messageById,
    dmById: history.dmById,
    findMessageByCid: history.findMessageByCid,
    findDmByCid: history.findDmByCid,
    page: history.page,
    messagesAfter: history.messagesAfter,
    dmsAfter: history.dmsAfter,
    roomNames: history.roomNames,
    counts: history.counts,
    ensureRoom(name) {
      if (history.hasRoom(name)) return false
      history.addRoom(name)
      addRoom(client, keys, name, nodeId).catch(reportError)
      return true
    },
    saveSession: (session) => sessions.save(session),
    deleteSession: (tokenHash) => sessions.delete(tokenHash),
    markLiveSessions: () => sessions.markLive(),
    // At open, the sessions this node may restore: those whose node is gone.
    loadSessions: () => sessions.orphans(),
    sessionByTokenHash: (tokenHash) => sessions.byTokenHash(tokenHash),
    knownUser: (userId) => sessions.knownUser(userId),
    sessionHolderAlive: (tokenHash) => sessions.holderAlive(tokenHash),
    onRemoteAppend(listener) {
      remoteListeners.add(listener)
      return () => remoteListeners.delete(listener)
    },
    async flush() {
      await sessions.writeNow()
      // Bounded: with Redis away an answer may never come (its sender then gets no ack, only a retry).
      const until = Date.now() + 2_000
      while (appends.inFlight > 0 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 2))
    },
    close() {
      if (closed) return
      closed = true
      sync.stop()
      void sessions.writeNow()
      liveness.end()
      history.dispose()
      // Answers already asked for still arrive: close() waits for them before it hangs up.
      void subscriber.close().catch(() => subscriber.destroy())
      void client.close().catch(() => client.destroy())
    }
  }
  await sessions.findOrphans()
  return store
}
