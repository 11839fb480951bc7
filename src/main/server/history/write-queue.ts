/**
 * The SQLite store's writes, committed in one transaction per short window: the first write of a
 * batch waits COMMIT_WINDOW_MS for others to share its commit. Each append's callback runs only
 * after its commit: the server acknowledges and broadcasts from that callback, so an
 * acknowledged message is always on disk.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { ChatMessage, DirectMessage } from '../../../shared/protocol'
import type { AppendCallback, StoredSession } from '../store'

export type PendingWrite =
  | { kind: 'message'; value: ChatMessage; done: AppendCallback<ChatMessage> }
  | { kind: 'dm'; value: DirectMessage; done: AppendCallback<DirectMessage> }
  | { kind: 'change'; value: ChatMessage; done: AppendCallback<ChatMessage> }
  | { kind: 'session'; value: StoredSession; at: number }
  | { kind: 'sessionGone'; tokenHash: string }
  | { kind: 'sessionsLive'; at: number }

export interface WriteQueueHooks {
  /** Runs one write inside its batch's transaction. */
  write(item: PendingWrite): void
  /** The batch left the queue, just before its transaction (whatever comes of it). */
  taken(batch: readonly PendingWrite[]): void
  /** The batch is committed; its callbacks run next. */
  committed(batch: readonly PendingWrite[]): void
  /** A callback passed to an append threw; reported here so one bad callback cannot fail the batch. */
  onCallbackError?: (error: unknown) => void
}

export interface WriteQueue {
  /** Queues `item` for the commit at the end of this window. */
  push(item: PendingWrite): void
  /** Commits what is queued now, then calls it back. */
  flush(): void
  readonly closed: boolean
  /** Throws once the queue is closed. */
  assertOpen(): void
  /** Commits what is queued; from then on every write is refused. */
  close(): void
}

/**
 * At light load messages come one per event-loop turn, so a commit per turn was a commit per
 * message, and each message's broadcast a write(2) per member. Waiting a millisecond lets the
 * messages of that millisecond share one commit, and their broadcasts one write per member
 * (fanout.ts corks until the turn ends). Under load a turn is longer than this anyway.
 * docs/benchmarks.md has the measurements and the latency it adds.
 */
export const COMMIT_WINDOW_MS = 2

export function createWriteQueue(db: DatabaseSync, hooks: WriteQueueHooks): WriteQueue {
  let queue: PendingWrite[] = []
  let scheduled: NodeJS.Timeout | undefined
  let closed = false

  function settle(batch: PendingWrite[], error: Error | null): void {
    for (const item of batch) {
      try {
        if (item.kind === 'message' || item.kind === 'change')
          item.done(error, error ? undefined : item.value)
        else if (item.kind === 'dm') item.done(error, error ? undefined : item.value)
      } catch (callbackError) {
        hooks.onCallbackError?.(callbackError)
      }
    }
  }

  function flush(): void {
    if (scheduled !== undefined) clearTimeout(scheduled)
    scheduled = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    hooks.taken(batch)
    let error: Error | null = null
    try {
      db.exec('BEGIN')
      for (const item of batch) hooks.write(item)
      db.exec('COMMIT')
      hooks.committed(batch)
    } catch (cause) {
      error = cause instanceof Error ? cause : new Error(String(cause))
      if (db.isTransaction) db.exec('ROLLBACK')
    }
    settle(batch, error)
  }

  function assertOpen(): void {
    if (closed) throw new Error('The history store is closed.')
  }

  return {
    push(item) {
      assertOpen()
      queue.push(item)
      if (scheduled === undefined) scheduled = setTimeout(flush, COMMIT_WINDOW_MS)
    },
    flush,
    get closed() {
      return closed
    },
    assertOpen,
    close() {
      flush()
      closed = true
    }
  }
}
