/**
 * The history as this node mirrors it. The Store's reads are synchronous, so every node keeps
 * each room's log and the DM log in memory, read from the Streams and kept current by the
 * published copies; what a read answers is what this node's members were sent.
 */
import type { RedisClientType } from 'redis'
import type { ChatMessage, DirectMessage } from '../../../shared/protocol'
import type { Page, Store } from '../store'
import {
  parseStoreEvent,
  parseStreamEntry,
  storedDm,
  storedMessage,
  type Origin,
  type StoredEntry
} from './history-wire'
import { createOrderedLog, type OrderedLog } from './ordered-log'
import type { StoreKeys } from './store-keys'

/** A message applied to the mirror, in id order per log. */
export type AppliedMessage = { kind: 'message'; message: ChatMessage } | { kind: 'dm'; dm: DirectMessage }

/** The Store's reads, answered from memory. */
export type MirrorReads = Pick<
  Store,
  | 'messageById'
  | 'dmById'
  | 'findMessageByCid'
  | 'findDmByCid'
  | 'page'
  | 'messagesAfter'
  | 'dmsAfter'
  | 'roomNames'
  | 'counts'
>

export interface HistoryMirror extends MirrorReads {
  /** A stored message as the script answered it. */
  offer(entry: StoredEntry): void
  /** A payload of `<prefix>events`: a stored message as it was published, or a new room. */
  heard(payload: string): void
  hasRoom(room: string): boolean
  /** Lists a room created here or heard of; a listed one stays as it is. */
  addRoom(room: string): void
  /** Lists every room Redis has, and reads every Stream from where its log is. */
  readAll(): Promise<void>
  /** Redis lost the history (a new epoch): every log starts again from id 1. */
  reset(): void
  dispose(): void
}

export interface HistoryMirrorOptions {
  client: RedisClientType
  keys: StoreKeys
  applied(message: AppliedMessage, origin: Origin): void
  reportError(error: unknown): void
}

export function createHistoryMirror({
  client,
  keys,
  applied,
  reportError
}: HistoryMirrorOptions): HistoryMirror {
  const rooms = new Map<string, OrderedLog<ChatMessage>>()
  const dms: OrderedLog<DirectMessage> = createOrderedLog(
    (dm, origin) => applied({ kind: 'dm', dm }, origin),
    () => void readDms()
  )

  function logOf(room: string): OrderedLog<ChatMessage> {
    let log = rooms.get(room)
    if (!log) {
      log = createOrderedLog(
        (message, origin) => applied({ kind: 'message', message }, origin),
        () => void readRoom(room)
      )
      rooms.set(room, log)
    }
    return log
  }

  async function read<T extends { id: number }>(
    logKey: string,
    log: OrderedLog<T>,
    stored: (id: number, json: string) => T
  ): Promise<void> {
    try {
      const entries = await client.xRange(logKey, `${log.last + 1}-0`, '+')
      for (const entry of entries as { id: string; message: Record<string, string> }[]) {
        const { id, json, origin } = parseStreamEntry(entry)
        log.offer(stored(id, json), origin)
      }
    } catch (error) {
      reportError(error)
    }
  }
  const readRoom = (room: string) =>
    read(keys.roomLog(room), logOf(room), (id, json) => storedMessage(room, id, json))
  const readDms = () => read(keys.dmLog, dms, storedDm)

  function offer(entry: StoredEntry): void {
    if (entry.kind === 'message') logOf(entry.message.room).offer(entry.message, entry.origin)
    else dms.offer(entry.dm, entry.origin)
  }

  return {
    offer,
    heard(payload) {
      const event = parseStoreEvent(payload)
      if (event?.kind === 'room') logOf(event.room)
      else if (event) offer(event)
    },
    hasRoom: (room) => rooms.has(room),
    addRoom: (room) => void logOf(room),
    async readAll() {
      for (const room of await client.sMembers(keys.rooms)) logOf(room)
      await Promise.all([...rooms.keys()].map((room) => readRoom(room)))
      await readDms()
    },
    reset() {
      for (const log of rooms.values()) log.reset()
      dms.reset()
    },
    dispose() {
      for (const log of [...rooms.values(), dms]) log.dispose()
    },
    messageById: (room, id) => rooms.get(room)?.messages[id - 1],
    dmById: (id) => dms.messages[id - 1],
    findMessageByCid: (room, fromId, cid, window) =>
      newestMatch(rooms.get(room)?.messages ?? [], window, (m) => m.cid === cid && m.from.id === fromId),
    findDmByCid: (fromId, toId, cid, window) =>
      newestMatch(dms.messages, window, (dm) => dm.cid === cid && dm.from.id === fromId && dm.to.id === toId),
    page(room, limit, before) {
      const list = rooms.get(room)?.messages ?? []
      const end = before === undefined ? list.length : Math.max(0, Math.min(list.length, before - 1))
      const start = Math.max(0, end - limit)
      return { messages: list.slice(start, end), hasMore: start > 0 }
    },
    messagesAfter: (room, afterId, max) =>
      replay((rooms.get(room)?.messages ?? []).slice(Math.max(0, afterId)), max),
    dmsAfter(userId, afterId, max) {
      const mine = dms.messages
        .slice(Math.max(0, afterId))
        .filter((dm) => dm.from.id === userId || dm.to.id === userId)
      return replay(mine, max)
    },
    roomNames: () => [...rooms.keys()],
    counts() {
      let messages = 0
      for (const log of rooms.values()) messages += log.messages.length
      return { messages, dms: dms.messages.length }
    }
  }
}

/** The newest of the last `window` in `list` that `matches`. */
function newestMatch<T>(list: readonly T[], window: number, matches: (value: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= Math.max(0, list.length - window); i--) {
    if (matches(list[i]!)) return list[i]
  }
  return undefined
}

/** A replay over `max` keeps the newest `max`: the client learns the rest by `hasMore`. */
function replay<T>(list: T[], max: number): Page<T> {
  return list.length > max
    ? { messages: list.slice(-max), hasMore: true }
    : { messages: list, hasMore: false }
}
