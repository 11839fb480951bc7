/**
 * The Store (store.ts) on Redis, shared by every node started with the same `--redis` URL.
 *
 * Writes: one Lua script per append gives the message its id (INCR of the room's, or the DM,
 * sequence), adds it to the room's Stream under the id `<id>-1`, and PUBLISHes it, all in one
 * atomic step: Redis runs scripts one at a time, so ids are cluster-wide, increase per room, and
 * every node receives the messages of a room in id order. `done` runs only after Redis answered
 * the script (with `appendfsync always` the AOF is on disk by then).
 *
 * Reads: the Store's reads are synchronous, so each node keeps a mirror of the history, loaded
 * from the Streams at open and kept current by the published messages. A message is applied to
 * the mirror strictly in id order (a later one waits for the earlier, and a gap that does not
 * fill reads the Stream): the script's answer and the published copy are both offered, the first
 * applies it, and a local append's `done` runs when its message is applied, so this node's
 * members see its own and the other nodes' messages in the one order.
 *
 * Sessions live in a hash (JSON per token hash) with the node that holds them; a node's
 * heartbeat key expires when it dies, and its sessions are then another node's to restore.
 */
import { randomBytes } from 'node:crypto'
import { createClient, type RedisClientType } from 'redis'
import type { ChatMessage, DirectMessage } from '../../shared/protocol'
import type { AppendCallback, LoadedSession, Page, StoredSession, Store } from './store'

/** A node that has not refreshed its heartbeat for this long is dead: its sessions are orphans. */
export const NODE_HEARTBEAT_TTL_S = 10
const HEARTBEAT_EVERY_MS = 3_000
/** A gap in a room's ids that the published copies have not filled after this reads the Stream. */
const GAP_WAIT_MS = 50
/** Reconnect backoff: 50 ms doubling to 2 s, for ever (Redis may be down for a while). */
export function reconnectDelay(retries: number): number {
  return Math.min(2_000, 50 * 2 ** Math.min(retries, 6))
}

/** How long a node waits for Redis at start before it gives up (later outages are waited out). */
export const CONNECT_AT_START_MS = 5_000

/**
 * Connects, or fails after CONNECT_AT_START_MS: node-redis would otherwise retry for ever, and a
 * server started against a wrong URL would hang without a word.
 */
export async function connectAtStart(client: RedisClientType, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.destroy()
      reject(
        new Error(
          `Could not reach Redis at ${url.replace(/\/\/[^@/]*@/, '//')} within ${CONNECT_AT_START_MS / 1000} s.`
        )
      )
    }, CONNECT_AT_START_MS)
  })
  try {
    await Promise.race([client.connect(), gaveUp])
  } finally {
    clearTimeout(timer)
  }
}

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable'
  constructor(cause?: unknown) {
    super(
      'The message store (Redis) is unreachable: the message was not acknowledged; send it again later.',
      {
        cause
      }
    )
  }
}

export type RemoteAppend = { kind: 'message'; message: ChatMessage } | { kind: 'dm'; dm: DirectMessage }

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

const APPEND_SCRIPT = `
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], id .. '-1', 'm', ARGV[2], 'n', ARGV[3], 'r', ARGV[4])
if ARGV[1] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
redis.call('PUBLISH', KEYS[4], ARGV[5] .. '\\n' .. ARGV[1] .. '\\n' .. id .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[2])
return id`

interface StoredSessionRecord extends StoredSession {
  node: string
  lastLive: number
}

type Body = Omit<ChatMessage, 'id' | 'room'> | Omit<DirectMessage, 'id'>

interface Pending {
  done: (error: Error | null, stored: ChatMessage | DirectMessage | undefined) => void
}

/** One ordered log as mirrored here: messages by id, and the ones that arrived ahead of a gap. */
interface Log<T> {
  messages: T[]
  last: number
  ahead: Map<number, { value: T; node: string; req: string }>
  gapTimer: NodeJS.Timeout | undefined
}

function newLog<T>(): Log<T> {
  return { messages: [], last: 0, ahead: new Map(), gapTimer: undefined }
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const prefix = options.prefix ?? 'parley:'
  const nodeId = options.nodeId ?? `n_${randomBytes(6).toString('base64url')}`
  const key = {
    roomSeq: (room: string) => `${prefix}room:${room}:seq`,
    roomLog: (room: string) => `${prefix}room:${room}:log`,
    rooms: `${prefix}rooms`,
    dmSeq: `${prefix}dm:seq`,
    dmLog: `${prefix}dm:log`,
    sessions: `${prefix}sessions`,
    epoch: `${prefix}epoch`,
    node: (id: string) => `${prefix}node:${id}`,
    events: `${prefix}events`,
    sessionEvents: `${prefix}session-events`
  }
  const reportError = (error: unknown) =>
    options.onError?.(error instanceof Error ? error : new Error(String(error)))

  const client: RedisClientType = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2_000 }
  })
  const subscriber: RedisClientType = client.duplicate()
  client.on('error', reportError)
  subscriber.on('error', reportError)

  const rooms = new Map<string, Log<ChatMessage>>()
  const dms = newLog<DirectMessage>()
  const sessions = new Map<string, StoredSessionRecord>()
  const pending = new Map<string, Pending>()
  const remoteListeners = new Set<(event: RemoteAppend) => void>()
  let sessionWrites = new Map<string, StoredSessionRecord | null>()
  let sessionWriteTimer: NodeJS.Immediate | undefined
  let requestSeq = 0
  let closed = false
  let epoch = ''

  function logOf(room: string): Log<ChatMessage> {
    let log = rooms.get(room)
    if (!log) {
      log = newLog()
      rooms.set(room, log)
    }
    return log
  }

  function applied<T extends ChatMessage | DirectMessage>(
    value: T,
    node: string,
    req: string,
    isDm: boolean
  ): void {
    const request = node === nodeId ? pending.get(req) : undefined
    if (request) {
      pending.delete(req)
      request.done(null, value)
    } else {
      // Another node's, or this node's whose answer was lost (Redis went away after running the
      // script; its sender was refused and may resend, found by cid): this node's members get it.
      const event: RemoteAppend = isDm
        ? { kind: 'dm', dm: value as DirectMessage }
        : { kind: 'message', message: value as ChatMessage }
      for (const listener of remoteListeners) listener(event)
    }
  }

  /** Applies `value` when it is the next id of its log; holds it when earlier ones are missing. */
  function offer<T extends ChatMessage | DirectMessage>(
    log: Log<T>,
    value: T,
    node: string,
    req: string,
    isDm: boolean,
    readGap: () => void
  ): void {
    if (value.id <= log.last) return
    if (value.id > log.last + 1) {
      log.ahead.set(value.id, { value, node, req })
      log.gapTimer ??= setTimeout(() => {
        log.gapTimer = undefined
        readGap()
      }, GAP_WAIT_MS)
      return
    }
    log.messages.push(value)
    log.last = value.id
    applied(value, node, req, isDm)
    let next = log.ahead.get(log.last + 1)
    while (next) {
      log.ahead.delete(next.value.id)
      log.messages.push(next.value)
      log.last = next.value.id
      applied(next.value, next.node, next.req, isDm)
      next = log.ahead.get(log.last + 1)
    }
    for (const id of log.ahead.keys()) if (id <= log.last) log.ahead.delete(id)
    if (log.ahead.size === 0 && log.gapTimer) {
      clearTimeout(log.gapTimer)
      log.gapTimer = undefined
    }
  }

  function parseBody(room: string | undefined, id: number, body: string): ChatMessage | DirectMessage {
    const parsed = JSON.parse(body) as Body
    return room === undefined
      ? ({ id, ...parsed } as DirectMessage)
      : ({ room, id, ...parsed } as ChatMessage)
  }

  function offerRoom(room: string, message: ChatMessage, node: string, req: string): void {
    offer(logOf(room), message, node, req, false, () => void readRoom(room))
  }
  function offerDm(dm: DirectMessage, node: string, req: string): void {
    offer(dms, dm, node, req, true, () => void readDms())
  }

  type Entry = { id: string; message: Record<string, string> }
  async function readLog(logKey: string, after: number): Promise<Entry[]> {
    return (await client.xRange(logKey, `${after + 1}-0`, '+')) as Entry[]
  }

  async function readRoom(room: string): Promise<void> {
    try {
      for (const entry of await readLog(key.roomLog(room), logOf(room).last)) {
        const id = Number(entry.id.split('-')[0])
        offerRoom(
          room,
          parseBody(room, id, entry.message.m!) as ChatMessage,
          entry.message.n!,
          entry.message.r!
        )
      }
    } catch (error) {
      reportError(error)
    }
  }
  async function readDms(): Promise<void> {
    try {
      for (const entry of await readLog(key.dmLog, dms.last)) {
        const id = Number(entry.id.split('-')[0])
        offerDm(
          parseBody(undefined, id, entry.message.m!) as DirectMessage,
          entry.message.n!,
          entry.message.r!
        )
      }
    } catch (error) {
      reportError(error)
    }
  }

  /** Everything this mirror missed (first load, or after the subscriber was away). */
  async function catchUp(): Promise<void> {
    const stored = await client.get(key.epoch)
    if (stored === null) {
      // A keyspace without an epoch is new, or lost what it had: a new epoch, ids start again.
      await client.set(key.epoch, `e_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`, {
        NX: true
      })
    }
    const current = (await client.get(key.epoch)) ?? ''
    if (epoch !== '' && current !== epoch) {
      for (const log of rooms.values()) {
        log.messages = []
        log.last = 0
        log.ahead.clear()
      }
      dms.messages = []
      dms.last = 0
      dms.ahead.clear()
    }
    epoch = current
    for (const room of await client.sMembers(key.rooms)) logOf(room)
    await Promise.all([...rooms.keys()].map((room) => readRoom(room)))
    await readDms()
    for (const [hash, json] of Object.entries(await client.hGetAll(key.sessions))) {
      if (!sessionWrites.has(hash)) sessions.set(hash, JSON.parse(json) as StoredSessionRecord)
    }
  }

  function onEvent(payload: string): void {
    const [kind, room, idText, node, req] = payload.split('\n', 5)
    const body = payload.split('\n').slice(5).join('\n')
    const id = Number(idText)
    if (kind === 'm' && room) offerRoom(room, parseBody(room, id, body) as ChatMessage, node!, req!)
    else if (kind === 'd') offerDm(parseBody(undefined, id, body) as DirectMessage, node!, req!)
    else if (kind === 'r' && room) logOf(room)
  }

  function onSessionEvent(payload: string): void {
    const { hash, record } = JSON.parse(payload) as { hash: string; record: StoredSessionRecord | null }
    if (record && record.node === nodeId) return
    if (record) sessions.set(hash, record)
    else sessions.delete(hash)
  }

  await connectAtStart(client, options.url)
  await connectAtStart(subscriber, options.url)
  await subscriber.subscribe(key.events, onEvent)
  await subscriber.subscribe(key.sessionEvents, onSessionEvent)
  await catchUp()
  // After Redis (or the way to it) was down: node-redis resubscribes; read what was published meanwhile.
  let subscriberWasDown = false
  subscriber.on('end', () => (subscriberWasDown = true))
  subscriber.on('reconnecting', () => (subscriberWasDown = true))
  subscriber.on('ready', () => {
    if (!subscriberWasDown || closed) return
    subscriberWasDown = false
    catchUp().catch(reportError)
  })
  client.on('ready', () => {
    if (!closed) scheduleSessionWrites()
  })

  async function beat(): Promise<void> {
    await client.set(key.node(nodeId), String(Date.now()), { EX: NODE_HEARTBEAT_TTL_S })
    // Redis lost its data (FLUSHALL, restarted without its AOF): a new epoch, and the mirror reloads.
    if ((await client.get(key.epoch)) !== epoch) await catchUp()
  }
  await beat()
  const heartbeat = setInterval(() => beat().catch(() => undefined), HEARTBEAT_EVERY_MS)
  heartbeat.unref()

  function append(
    room: string | undefined,
    body: Body,
    done: (error: Error | null, stored: ChatMessage | DirectMessage | undefined) => void
  ): void {
    if (closed) throw new Error('The store is closed.')
    const req = `${++requestSeq}`
    const json = JSON.stringify(body)
    const keys =
      room === undefined
        ? [key.dmSeq, key.dmLog, key.rooms, key.events]
        : [key.roomSeq(room), key.roomLog(room), key.rooms, key.events]
    pending.set(req, { done })
    client
      .eval(APPEND_SCRIPT, {
        keys,
        arguments: [room ?? '', json, nodeId, req, room === undefined ? 'd' : 'm']
      })
      .then((reply) => {
        const id = Number(reply)
        if (room === undefined) offerDm(parseBody(undefined, id, json) as DirectMessage, nodeId, req)
        else offerRoom(room, parseBody(room, id, json) as ChatMessage, nodeId, req)
      })
      .catch((error: unknown) => {
        if (!pending.delete(req)) return
        done(new StoreUnavailableError(error), undefined)
      })
  }

  function scheduleSessionWrites(): void {
    if (sessionWrites.size === 0 || sessionWriteTimer !== undefined) return
    sessionWriteTimer = setImmediate(() => void writeSessions())
  }

  /** Session writes are batched per event-loop turn (one pipeline), and kept for a retry when Redis is away. */
  function writeSessions(): Promise<unknown> {
    sessionWriteTimer = undefined
    if (sessionWrites.size === 0) return Promise.resolve()
    const batch = sessionWrites
    sessionWrites = new Map()
    const multi = client.multi()
    for (const [hash, record] of batch) {
      if (record) multi.hSet(key.sessions, hash, JSON.stringify(record))
      else multi.hDel(key.sessions, hash)
      multi.publish(key.sessionEvents, JSON.stringify({ hash, record }))
    }
    return multi.exec().catch((error: unknown) => {
      reportError(error)
      for (const [hash, record] of batch) if (!sessionWrites.has(hash)) sessionWrites.set(hash, record)
    })
  }

  function queueSession(hash: string, record: StoredSessionRecord | null): void {
    if (record) sessions.set(hash, record)
    else sessions.delete(hash)
    sessionWrites.set(hash, record)
    scheduleSessionWrites()
  }

  function replay<T extends { id: number }>(list: T[], max: number): Page<T> {
    return list.length > max
      ? { messages: list.slice(-max), hasMore: true }
      : { messages: list, hasMore: false }
  }

  const store: RedisStore = {
    nodeId,
    get epoch() {
      return epoch
    },
    get connected() {
      return client.isReady && subscriber.isReady
    },
    appendMessage(room, from, text, done, cid, _files, extras) {
      const body = {
        from,
        text,
        ts: Date.now(),
        ...(cid !== undefined ? { cid } : {}),
        ...(extras?.replyTo !== undefined ? { replyTo: extras.replyTo } : {})
      }
      append(room, body, done as AppendCallback<ChatMessage | DirectMessage>)
    },
    appendDm(from, to, text, done, cid) {
      const body = { from, to, text, ts: Date.now(), ...(cid !== undefined ? { cid } : {}) }
      append(undefined, body, done as AppendCallback<ChatMessage | DirectMessage>)
    },
    messageById: (room, id) => rooms.get(room)?.messages[id - 1],
    dmById: (id) => dms.messages[id - 1],
    findMessageByCid(room, fromId, cid, window) {
      const list = rooms.get(room)?.messages ?? []
      for (let i = list.length - 1; i >= Math.max(0, list.length - window); i--) {
        const message = list[i]!
        if (message.cid === cid && message.from.id === fromId) return message
      }
      return undefined
    },
    findDmByCid(fromId, toId, cid, window) {
      const list = dms.messages
      for (let i = list.length - 1; i >= Math.max(0, list.length - window); i--) {
        const dm = list[i]!
        if (dm.cid === cid && dm.from.id === fromId && dm.to.id === toId) return dm
      }
      return undefined
    },
    page(room, limit, before) {
      const list = rooms.get(room)?.messages ?? []
      // Ids are dense from 1 in the mirror: message n sits at n - 1.
      const end = before === undefined ? list.length : Math.max(0, Math.min(list.length, before - 1))
      const start = Math.max(0, end - limit)
      return { messages: list.slice(start, end), hasMore: start > 0 }
    },
    messagesAfter(room, afterId, max) {
      return replay((rooms.get(room)?.messages ?? []).slice(Math.max(0, afterId)), max)
    },
    dmsAfter(userId, afterId, max) {
      const mine = dms.messages
        .slice(Math.max(0, afterId))
        .filter((dm) => dm.from.id === userId || dm.to.id === userId)
      return replay(mine, max)
    },
    ensureRoom(name) {
      if (rooms.has(name)) return false
      logOf(name)
      const multi = client.multi().sAdd(key.rooms, name).publish(key.events, `r\n${name}\n0\n${nodeId}\n`)
      multi.exec().catch(reportError)
      return true
    },
    roomNames: () => [...rooms.keys()],
    counts() {
      let messages = 0
      for (const log of rooms.values()) messages += log.messages.length
      return { messages, dms: dms.messages.length }
    },
    saveSession(session) {
      const lastLive = session.droppedAt ?? Date.now()
      queueSession(session.tokenHash, { ...session, rooms: [...session.rooms], node: nodeId, lastLive })
    },
    deleteSession(tokenHash) {
      // Another node took this session over (a resume there): its window here lapsing ends nothing.
      const record = sessions.get(tokenHash)
      if (record && record.node !== nodeId) return
      queueSession(tokenHash, null)
    },
    markLiveSessions() {
      const now = Date.now()
      for (const [hash, record] of sessions) {
        if (record.node === nodeId && record.droppedAt === null)
          queueSession(hash, { ...record, lastLive: now })
      }
    },
    loadSessions() {
      // At open, the sessions this node may restore: those whose node is gone (checked in open below).
      return orphans.map(({ node: _node, ...session }) => session)
    },
    sessionByTokenHash(tokenHash) {
      const record = sessions.get(tokenHash)
      if (!record) return undefined
      const { node: _node, ...session } = record
      return session
    },
    knownUser(userId) {
      // A scan: DMs to a user on another node are rare next to room messages (an index if they are not).
      for (const record of sessions.values()) if (record.user.id === userId) return record.user
      return undefined
    },
    async sessionHolderAlive(tokenHash) {
      const record = sessions.get(tokenHash)
      if (!record || record.node === nodeId) return false
      return (await client.exists(key.node(record.node))) === 1
    },
    onRemoteAppend(listener) {
      remoteListeners.add(listener)
      return () => remoteListeners.delete(listener)
    },
    async flush() {
      if (sessionWriteTimer !== undefined) clearImmediate(sessionWriteTimer)
      await writeSessions()
      // Bounded: with Redis away an answer may never come (its sender then gets no ack, only a retry).
      const until = Date.now() + 2_000
      while (pending.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2))
    },
    close() {
      if (closed) return
      closed = true
      clearInterval(heartbeat)
      if (sessionWriteTimer !== undefined) clearImmediate(sessionWriteTimer)
      void writeSessions()
      void client.del(key.node(nodeId)).catch(() => undefined)
      for (const log of [...rooms.values(), dms]) if (log.gapTimer) clearTimeout(log.gapTimer)
      // Answers already asked for still arrive: close() waits for them before it hangs up.
      void subscriber.close().catch(() => subscriber.destroy())
      void client.close().catch(() => client.destroy())
    }
  }

  // Sessions of nodes that are gone (this one's previous life, a killed node): this node takes them over.
  const orphans: StoredSessionRecord[] = []
  const holders = [...new Set([...sessions.values()].map((record) => record.node))]
  const alive = new Set<string>()
  for (const holder of holders) if ((await client.exists(key.node(holder))) === 1) alive.add(holder)
  for (const record of sessions.values()) {
    if (!alive.has(record.node) || record.node === nodeId) orphans.push(record)
  }
  return store
}
