/**
 * Room messages enter the full-text index (messages_fts, search_rows) in batches, after their own
 * commit, instead of in it. Indexed by a trigger, a lone message's commit wrote 8 pages instead of
 * 1–2 and cost ~46 µs of CPU instead of ~10 (docs/benchmarks.md, "Issue 17"): at light load each
 * message is a commit of its own, so the index was most of what storing it cost.
 *
 * Nothing is lost to a search: a search indexes what waits before it runs, and so does close.
 * A crash loses only the list of what waits: at open, each room's messages after its last indexed
 * one are indexed again (ids grow in arrival order, so a room's indexed messages are a prefix,
 * whatever retention has since cut from the front).
 */
import type { DatabaseSync } from 'node:sqlite'

/**
 * How long committed messages wait for their batch. Only a search reads the index, and it indexes
 * what waits first, so this bounds the list's size and a crash's re-indexing, not what a search
 * finds. A batch wakes an idle server, and its fixed cost (a transaction, an FTS5 segment) is
 * spread over more messages the longer it waits.
 */
export const INDEX_EVERY_MS = 2000
/**
 * The most the timer or the next turn indexes at once; once this many wait, they go on the next
 * turn rather than at the timer. Indexing blocks the loop for about 14 µs a message (a batch of
 * 2,000 took 30 ms), so batches stay small enough for a busy server's latency: about 3.5 ms each.
 * Only a search or close indexes everything waiting in one go.
 */
export const INDEX_BATCH = 250

export interface SearchIndexer {
  /** Room message `room`/`id` is committed: it goes into the index with the next batch. */
  added(room: string, id: number): void
  /** Indexes everything waiting, now. */
  flush(): void
  /** Flushes; the indexer is not used again. */
  close(): void
}

/** `rooms`: every room with messages in the file (its recovery looks at each one's tail). */
export function createSearchIndexer(
  db: DatabaseSync,
  rooms: Iterable<string>,
  onError?: (error: unknown) => void
): SearchIndexer {
  // OR IGNORE: what the recovery below re-indexes may already be in. The text is read at indexing
  // time, so an edit or a deletion made while the message waited is what gets indexed.
  const insertRow = db.prepare(
    'INSERT OR IGNORE INTO search_rows (room, id) SELECT room, id FROM messages WHERE room = ? AND id = ?'
  )
  const insertText = db.prepare(
    'INSERT INTO messages_fts (rowid, text) SELECT ?, text FROM messages WHERE room = ? AND id = ? AND deleted IS NOT 1'
  )
  // Two parallel arrays rather than an object per message: at 50,000 messages a second that is
  // 50,000 fewer allocations to scavenge.
  let waitingRooms: string[] = []
  let ids: number[] = []
  let timer: NodeJS.Timeout | undefined
  let soon: NodeJS.Immediate | undefined
  let closed = false

  function cancelTimers(): void {
    if (timer !== undefined) clearTimeout(timer)
    if (soon !== undefined) clearImmediate(soon)
    timer = soon = undefined
  }

  /** Indexes the first `max` waiting messages; the timer and the next turn take the rest. */
  function index(max: number): void {
    cancelTimers()
    if (closed || waitingRooms.length === 0) return
    const batchRooms = waitingRooms.slice(0, max)
    const batchIds = ids.slice(0, max)
    waitingRooms = waitingRooms.slice(batchRooms.length)
    ids = ids.slice(batchIds.length)
    try {
      db.exec('BEGIN')
      for (let i = 0; i < batchRooms.length; i++) {
        const row = insertRow.run(batchRooms[i]!, batchIds[i]!)
        if (row.changes > 0) insertText.run(row.lastInsertRowid, batchRooms[i]!, batchIds[i]!)
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      // Kept, in order, ahead of what came since: the next batch tries them again.
      waitingRooms = batchRooms.concat(waitingRooms)
      ids = batchIds.concat(ids)
      timer = setTimeout(nextBatch, INDEX_EVERY_MS).unref()
      onError?.(error)
      return
    }
    schedule()
  }

  const nextBatch = (): void => index(INDEX_BATCH)
  /** A search and close need everything in; the rest goes in a bounded batch at a time. */
  const flush = (): void => index(Infinity)

  function schedule(): void {
    if (waitingRooms.length >= INDEX_BATCH) soon ??= setImmediate(nextBatch)
    else if (waitingRooms.length > 0) timer ??= setTimeout(nextBatch, INDEX_EVERY_MS).unref()
  }

  function added(room: string, id: number): void {
    waitingRooms.push(room)
    ids.push(id)
    schedule()
  }

  for (const { room, id } of unindexedTail(db, rooms)) added(room, id)

  return {
    added,
    flush,
    close() {
      flush()
      // A batch that failed here is left for the next open's recovery: no retry may run on a
      // closed database.
      closed = true
      cancelTimers()
    }
  }
}

/** The messages a crash left out of the index, oldest first (the order search_rows gives). */
function unindexedTail(db: DatabaseSync, rooms: Iterable<string>): { room: string; id: number }[] {
  const lastIndexed = db.prepare('SELECT MAX(id) AS last FROM search_rows WHERE room = ?')
  const after = db.prepare('SELECT room, id, ts FROM messages WHERE room = ? AND id > ? ORDER BY id')
  const tail: { room: string; id: number; ts: number }[] = []
  for (const name of rooms) {
    const last = (lastIndexed.get(name) as { last: number | null }).last ?? 0
    tail.push(...(after.all(name, last) as { room: string; id: number; ts: number }[]))
  }
  return tail.sort((a, b) => a.ts - b.ts || (a.room < b.room ? -1 : a.room > b.room ? 1 : a.id - b.id))
}
