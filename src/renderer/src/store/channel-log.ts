import type { FileInfo } from '../../../shared/file-info'
import type { ChatMessage, DirectMessage, Reaction, User } from '../../../shared/protocol'

/**
 * A channel is a room (key = its name) or a direct conversation (key = "@" + the other user's
 * id); room names cannot contain "@", so the keys never clash.
 */
export type ChannelKey = string

export const dmKey = (userId: string): ChannelKey => `@${userId}`
export const isDmKey = (key: ChannelKey): boolean => key.startsWith('@')

export interface MessageEntry {
  kind: 'message'
  /** Sort position: the server id. */
  order: number
  id: number
  from: User
  text: string
  ts: number
  cid?: string
  replyTo?: number
  editedAt?: number
  deleted?: boolean
  reactions?: Reaction[]
  files?: FileInfo[]
}

export interface SystemEntry {
  kind: 'system'
  /** Just after the message it followed, so replays and older pages slot in around it. */
  order: number
  text: string
  ts: number
}

export type LogEntry = MessageEntry | SystemEntry

export interface ChannelLog {
  /** Ascending by `order`; message ids are unique within a channel. */
  entries: LogEntry[]
  /** Older messages exist on the server than the first one here. */
  hasMore: boolean
  loadingOlder: boolean
  /** Entries ever added before the first one, for the virtual list's stable indexes when prepending. */
  prepended: number
}

export const emptyLog = (): ChannelLog => ({ entries: [], hasMore: false, loadingOlder: false, prepended: 0 })

/** System entries sit this far after the entry they follow; far below the gap between two ids. */
const SYSTEM_STEP = 1e-6

export function messageEntry(message: ChatMessage | DirectMessage): MessageEntry {
  return {
    kind: 'message',
    order: message.id,
    id: message.id,
    from: message.from,
    text: message.text,
    ts: message.ts,
    ...(message.cid ? { cid: message.cid } : {}),
    ...('replyTo' in message && message.replyTo !== undefined ? { replyTo: message.replyTo } : {}),
    ...('editedAt' in message && message.editedAt !== undefined ? { editedAt: message.editedAt } : {}),
    ...('deleted' in message && message.deleted ? { deleted: true } : {}),
    ...('reactions' in message && message.reactions?.length ? { reactions: message.reactions } : {}),
    ...(message.files?.length && !('deleted' in message && message.deleted) ? { files: message.files } : {})
  }
}

/** The message `id` of a log replaced by `change(entry)`; false when the log does not hold it. */
export function updateMessage(
  entries: LogEntry[],
  id: number,
  change: (entry: MessageEntry) => MessageEntry
): boolean {
  const index = lowerBound(entries, id)
  const entry = entries[index]
  if (!entry || entry.kind !== 'message' || entry.id !== id) return false
  entries[index] = change(entry)
  return true
}

export function systemEntry(entries: readonly LogEntry[], text: string, ts: number): SystemEntry {
  const last = entries.at(-1)
  return { kind: 'system', order: (last?.order ?? 0) + SYSTEM_STEP, text, ts }
}

/**
 * Inserts entries in place, keeping `order` ascending and dropping a message whose id is already
 * there: replays after a reconnect and overlapping history pages merge without duplicates.
 * Appending newer messages (the common case) is O(1). Returns how many entries landed before
 * the previous first entry, so a virtual list can keep its scroll position.
 */
export function mergeEntries(
  entries: LogEntry[],
  incoming: readonly LogEntry[]
): { added: number; prepended: number } {
  let added = 0
  let prepended = 0
  const firstBefore = entries[0]
  for (const entry of incoming) {
    const last = entries.at(-1)
    if (!last || entry.order > last.order) {
      entries.push(entry)
      added++
      continue
    }
    const index = lowerBound(entries, entry.order)
    const existing = entries[index]
    if (entry.kind === 'message' && existing?.order === entry.order && existing.kind === 'message') continue
    entries.splice(index, 0, entry)
    added++
    if (firstBefore && entry.order < firstBefore.order) prepended++
  }
  return { added, prepended }
}

function lowerBound(entries: readonly LogEntry[], order: number): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((entries[mid] as LogEntry).order < order) low = mid + 1
    else high = mid
  }
  return low
}

/** The message `id` in a log, found by binary search (messages sort by id). */
export function findMessageEntry(entries: readonly LogEntry[], id: number): MessageEntry | undefined {
  const entry = entries[lowerBound(entries, id)]
  return entry?.kind === 'message' && entry.id === id ? entry : undefined
}

export function oldestMessageId(log: ChannelLog): number | undefined {
  for (const entry of log.entries) if (entry.kind === 'message') return entry.id
  return undefined
}
