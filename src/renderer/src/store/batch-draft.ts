import type { User } from '../../../shared/protocol'
import {
  emptyLog,
  mergeEntries,
  updateMessage,
  type ChannelKey,
  type ChannelLog,
  type LogEntry,
  type MessageEntry
} from './channel-log'
import type { MemberPaging, StoreState } from './store-types'

export type Draft = Partial<StoreState>

/**
 * The state update one batch of engine events builds up, and the few edits reducers share.
 * Reducers read through `view` (the draft where a reducer earlier in the batch wrote, the store
 * otherwise) and write to `draft`. Channel logs are copied once per batch, then appended in place:
 * at a thousand messages a second, copying a log per message would dominate.
 */
export class BatchDraft {
  readonly draft: Draft = {}
  private readonly copiedLogs = new Set<ChannelKey>()

  constructor(
    readonly state: StoreState,
    /** The batch's time, for system lines and typing expiry. */
    readonly now: number
  ) {}

  view<K extends keyof StoreState>(key: K): StoreState[K] {
    return (key in this.draft ? this.draft[key] : this.state[key]) as StoreState[K]
  }

  /** The channel's log, copied into the draft on first use in this batch and writable after. */
  log(key: ChannelKey): ChannelLog {
    if (!this.draft.logs) this.draft.logs = { ...this.state.logs }
    const logs = this.draft.logs
    if (!this.copiedLogs.has(key)) {
      const current = logs[key] ?? emptyLog()
      logs[key] = { ...current, entries: current.entries.slice() }
      this.copiedLogs.add(key)
    }
    return logs[key] as ChannelLog
  }

  addEntries(key: ChannelKey, entries: LogEntry[]): void {
    const target = this.log(key)
    const { prepended } = mergeEntries(target.entries, entries)
    target.prepended += prepended
  }

  /** Replaces a message already in the channel's log (edits, deletions, reactions); others are ignored. */
  changeMessage(key: ChannelKey, id: number, change: (entry: MessageEntry) => MessageEntry): void {
    const current = this.view('logs')[key]
    if (!current?.entries.some((e) => e.kind === 'message' && e.id === id)) return
    updateMessage(this.log(key).entries, id, change)
  }

  /** Counts a message as unread unless it is in the channel on screen or the person's own. */
  bumpUnread(key: ChannelKey, from: User): void {
    if (key === this.view('current') || from.id === this.view('me')?.id) return
    const unread = { ...this.view('unread') }
    unread[key] = (unread[key] ?? 0) + 1
    this.draft.unread = unread
  }

  setPaging(room: string, paging: MemberPaging): void {
    this.draft.memberPaging = { ...this.view('memberPaging'), [room]: paging }
  }

  clearTyping(room: string, userId: string): void {
    const list = this.view('typing')[room]
    if (!list?.some((t) => t.userId === userId)) return
    this.draft.typing = { ...this.view('typing'), [room]: list.filter((t) => t.userId !== userId) }
  }
}

/** Appends to a bounded series, dropping the oldest: a week-long session must not grow without end. */
export function pushBounded<T>(list: T[], item: T, max: number): T[] {
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice()
  next.push(item)
  return next
}

/**
 * One reducer per member of a union tagged by `type`. The mapped type makes a missing type a
 * compile error, so a new engine event or server message cannot be silently ignored.
 */
export type ReducerTable<U extends { type: string }> = {
  [K in U['type']]: (item: Extract<U, { type: K }>, batch: BatchDraft) => void
}

export function reduceWith<U extends { type: string }>(
  table: ReducerTable<U>,
  item: U,
  batch: BatchDraft
): void {
  const reducer = table[item.type as U['type']] as (item: U, batch: BatchDraft) => void
  reducer(item, batch)
}
