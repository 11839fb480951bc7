/**
 * Sessions on Redis: a hash (JSON per token hash) with the node that holds each, mirrored by every
 * node from the writes published on `<prefix>session-events`, so a hello presenting a token this
 * node does not hold can resume it here. Writes are batched per event-loop turn (one MULTI) and
 * kept for a retry while Redis is away.
 */
import type { RedisClientType } from 'redis'
import type { User } from '../../../shared/protocol'
import type { LoadedSession, StoredSession } from '../store'
import type { NodeLiveness } from './node-liveness'
import type { StoreKeys } from './store-keys'

interface StoredSessionRecord extends StoredSession {
  node: string
  lastLive: number
}

export interface SessionMirror {
  save(session: StoredSession): void
  delete(tokenHash: string): void
  /** Stamps this node's connected sessions as live now (see Store.markLiveSessions). */
  markLive(): void
  byTokenHash(tokenHash: string): LoadedSession | undefined
  knownUser(userId: string): User | undefined
  /** Whether another node holds this session and is alive. */
  holderAlive(tokenHash: string): Promise<boolean>
  /** A payload of `<prefix>session-events`. */
  heard(payload: string): void
  /** Reads the hash (at open, and after Redis was away); a write still queued here wins. */
  load(): Promise<void>
  /**
   * The sessions this node takes over at open: those of nodes that are gone (this one's previous
   * life, a killed node). Found once, when the mirror was first loaded.
   */
  orphans(): LoadedSession[]
  findOrphans(): Promise<void>
  /** Writes what is queued in the next turn (after a write failed, once Redis is back). */
  scheduleWrites(): void
  /** Writes what is queued now; resolves once Redis answered (or the batch was kept for a retry). */
  writeNow(): Promise<unknown>
}

export interface SessionMirrorOptions {
  client: RedisClientType
  keys: StoreKeys
  nodeId: string
  liveness: NodeLiveness
  reportError(error: unknown): void
}

export function createSessionMirror({
  client,
  keys,
  nodeId,
  liveness,
  reportError
}: SessionMirrorOptions): SessionMirror {
  const sessions = new Map<string, StoredSessionRecord>()
  let writes = new Map<string, StoredSessionRecord | null>()
  let writeTimer: NodeJS.Immediate | undefined
  const orphans: StoredSessionRecord[] = []

  function scheduleWrites(): void {
    if (writes.size === 0 || writeTimer !== undefined) return
    writeTimer = setImmediate(() => void writeNow())
  }

  function writeNow(): Promise<unknown> {
    if (writeTimer !== undefined) clearImmediate(writeTimer)
    writeTimer = undefined
    if (writes.size === 0) return Promise.resolve()
    const batch = writes
    writes = new Map()
    const multi = client.multi()
    for (const [hash, record] of batch) {
      if (record) multi.hSet(keys.sessions, hash, JSON.stringify(record))
      else multi.hDel(keys.sessions, hash)
      multi.publish(keys.sessionEvents, JSON.stringify({ hash, record }))
    }
    return multi.exec().catch((error: unknown) => {
      reportError(error)
      for (const [hash, record] of batch) if (!writes.has(hash)) writes.set(hash, record)
    })
  }

  function queue(hash: string, record: StoredSessionRecord | null): void {
    if (record) sessions.set(hash, record)
    else sessions.delete(hash)
    writes.set(hash, record)
    scheduleWrites()
  }

  const withoutNode = ({ node: _node, ...session }: StoredSessionRecord): LoadedSession => session

  return {
    save(session) {
      const lastLive = session.droppedAt ?? Date.now()
      queue(session.tokenHash, { ...session, rooms: [...session.rooms], node: nodeId, lastLive })
    },
    delete(tokenHash) {
      // Another node took this session over (a resume there): its window here lapsing ends nothing.
      const record = sessions.get(tokenHash)
      if (record && record.node !== nodeId) return
      queue(tokenHash, null)
    },
    markLive() {
      const now = Date.now()
      for (const [hash, record] of sessions) {
        if (record.node === nodeId && record.droppedAt === null) queue(hash, { ...record, lastLive: now })
      }
    },
    byTokenHash(tokenHash) {
      const record = sessions.get(tokenHash)
      return record && withoutNode(record)
    },
    knownUser(userId) {
      // A scan: DMs to a user on another node are rare next to room messages (an index if they are not).
      for (const record of sessions.values()) if (record.user.id === userId) return record.user
      return undefined
    },
    async holderAlive(tokenHash) {
      const record = sessions.get(tokenHash)
      if (!record || record.node === nodeId) return false
      return liveness.isAlive(record.node)
    },
    heard(payload) {
      const { hash, record } = JSON.parse(payload) as { hash: string; record: StoredSessionRecord | null }
      if (record && record.node === nodeId) return
      if (record) sessions.set(hash, record)
      else sessions.delete(hash)
    },
    async load() {
      for (const [hash, json] of Object.entries(await client.hGetAll(keys.sessions))) {
        if (!writes.has(hash)) sessions.set(hash, JSON.parse(json) as StoredSessionRecord)
      }
    },
    orphans: () => orphans.map(withoutNode),
    async findOrphans() {
      const holders = [...new Set([...sessions.values()].map((record) => record.node))]
      const alive = new Set<string>()
      for (const holder of holders) if (await liveness.isAlive(holder)) alive.add(holder)
      for (const record of sessions.values()) {
        if (!alive.has(record.node) || record.node === nodeId) orphans.push(record)
      }
    },
    scheduleWrites,
    writeNow
  }
}
