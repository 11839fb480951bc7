/**
 * The Store (store.ts) on SQLite: rooms, room messages, direct messages and resumable sessions in one
 * SQLite file (node:sqlite, built into Node 22 and Electron, so nothing native needs rebuilding).
 *
 * Writes go through a queue that is committed in one transaction per event-loop turn, and each
 * append's callback runs only after its commit (history/write-queue.ts), so an acknowledged
 * message is always on disk. Ids are assigned at enqueue time from in-memory sequences seeded
 * from the file, so order is fixed the moment a message arrives (history/room-history.ts,
 * history/direct-messages.ts). This module opens the file and composes those parts with the
 * sessions (history/stored-sessions.ts) and search (history/full-text-search.ts).
 *
 * WAL with synchronous=NORMAL: a commit is in the OS's hands once COMMIT returns, which survives
 * the process being killed (kill -9, a crash); only a power cut can lose the last commits.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { createDirectMessages, type DirectMessages } from './history/direct-messages'
import { prepareSearch } from './history/full-text-search'
import { prepareMessagesTable } from './history/messages-table'
import { createRoomHistory, type RoomHistory } from './history/room-history'
import { createSearchIndexer } from './history/search-indexer'
import { createStoredSessions } from './history/stored-sessions'
import { createWriteQueue } from './history/write-queue'
import { migrate } from './history-schema'
import {
  createHistoryPruner,
  type HistoryPruner,
  type PruneStep,
  type RetentionPolicy
} from './history-retention'
import type { Store } from './store'

export const DATABASE_FILE = 'parley.sqlite'
/**
 * How long a write waits for another process's lock (a second Parley on the same --data dir, a
 * sqlite3 shell). node:sqlite is synchronous: the wait stalls the event loop and every client
 * with it, so it is short, and a commit that cannot get the lock fails (its senders get 1011).
 * This process is the file's only writer in normal use: no wait is needed for itself.
 */
const BUSY_TIMEOUT_MS = 20

/**
 * The SQLite store. Its appends also return the message as it will be stored (ids are assigned
 * at enqueue time from in-memory sequences), which its own tests and the benchmarks use; the hub
 * sees only `Store`, whose appends answer in their callback.
 */
export interface HistoryStore extends Store {
  appendMessage: RoomHistory['appendMessage']
  appendDm: DirectMessages['appendDm']
  /** Retention: one bounded step of deleting what `policy` no longer keeps (history-retention.ts). */
  prune(policy: RetentionPolicy, now: number): PruneStep
  readonly messageChanges: true
  changeMessage: NonNullable<Store['changeMessage']>
  roomRev: NonNullable<Store['roomRev']>
  changesAfter: NonNullable<Store['changesAfter']>
  search: NonNullable<Store['search']>
}

export interface HistoryStoreOptions {
  /** A callback passed to an append threw; reported here so one bad callback cannot fail the batch. */
  onCallbackError?: (error: unknown) => void
  /** A batch of the search index failed; it is tried again (history/search-indexer.ts). */
  onIndexError?: (error: unknown) => void
}

export function openHistoryStore(dataDir: string, options: HistoryStoreOptions = {}): HistoryStore {
  mkdirSync(dataDir, { recursive: true })
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE))
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`)
  migrate(db)

  const messages = prepareMessagesTable(db)
  // The parts below queue their writes here and the queue writes through them: its hooks run
  // only at a commit, by when every part exists.
  const queue = createWriteQueue(db, {
    write(item) {
      switch (item.kind) {
        case 'message':
          return messages.insert(item.value)
        case 'change':
          return messages.update(item.value)
        case 'dm':
          return dms.insert(item.value)
        case 'session':
          return sessions.upsert(item.value, item.at)
        case 'sessionGone':
          return sessions.remove(item.tokenHash)
        case 'sessionsLive':
          return sessions.stampLive(item.at)
      }
    },
    taken(batch) {
      for (const item of batch) if (item.kind === 'change') rooms.changeSettled(item.value)
    },
    committed(batch) {
      for (const item of batch) {
        if (item.kind === 'message') {
          messageCount++
          indexer.added(item.value.room, item.value.id)
        } else if (item.kind === 'dm') dmCount++
      }
    },
    onCallbackError: options.onCallbackError
  })
  const search = prepareSearch(db)
  const rooms = createRoomHistory(messages, queue)
  // After the room history: its room list (from the rooms table and the messages) is the
  // indexer's, for finding what a crash left out of the index.
  const indexer = createSearchIndexer(db, rooms.store.roomNames(), options.onIndexError)
  const dms = createDirectMessages(db, queue)
  const sessions = createStoredSessions(db, queue)
  let messageCount = messages.count()
  let dmCount = dms.count()
  let pruner: HistoryPruner | undefined

  return {
    messageChanges: true,
    ...rooms.store,
    ...dms.store,
    ...sessions.store,
    search(query) {
      // A search sees every committed message: what waits for the index goes in first.
      indexer.flush()
      return search(query)
    },
    counts: () => ({ messages: messageCount, dms: dmCount }),
    flush: queue.flush,
    close() {
      if (queue.closed) return
      queue.close()
      indexer.close()
      db.close()
    },
    prune(policy, now) {
      queue.assertOpen()
      pruner ??= createHistoryPruner(db)
      const removed = pruner.step(policy, now)
      messageCount -= removed.messages
      dmCount -= removed.dms
      return removed
    }
  }
}
