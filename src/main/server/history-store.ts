/**
 * The Store (store.ts) on SQLite: rooms, room messages, direct messages and resumable sessions in one
 * SQLite file (node:sqlite, built into Node 22 and Electron, so nothing native needs rebuilding).
 *
 * Writes go through a queue that is committed in one transaction per event-loop turn
 * (setImmediate: every message that arrived in the same I/O poll shares a commit), and each
 * append's callback runs only after its commit. The server acknowledges and broadcasts from
 * that callback, so an acknowledged message is always on disk. Ids are assigned at enqueue time
 * from in-memory sequences seeded from the file, so order is fixed the moment a message arrives.
 *
 * WAL with synchronous=NORMAL: a commit is in the OS's hands once COMMIT returns, which survives
 * the process being killed (kill -9, a crash); only a power cut can lose the last commits.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import type { FileInfo } from '../../shared/file-info'
import type { ChatMessage, DirectMessage, User } from '../../shared/protocol'
import type { AppendCallback, Page, StoredSession, Store } from './store'
import {
  createHistoryPruner,
  type HistoryPruner,
  type PruneStep,
  type RetentionPolicy
} from './history-retention'
import { filesColumn, migrate, toDm, toMessage, type DmRow, type MessageRow } from './history-schema'
import { prepareStatements } from './history-statements'

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
  appendMessage(
    room: string,
    from: User,
    text: string,
    done: AppendCallback<ChatMessage>,
    cid?: string,
    files?: FileInfo[]
  ): ChatMessage
  appendDm(
    from: User,
    to: User,
    text: string,
    done: AppendCallback<DirectMessage>,
    cid?: string,
    files?: FileInfo[]
  ): DirectMessage
  /** Retention: one bounded step of deleting what `policy` no longer keeps (history-retention.ts). */
  prune(policy: RetentionPolicy, now: number): PruneStep
}

type PendingWrite =
  | { kind: 'message'; value: ChatMessage; done: AppendCallback<ChatMessage> }
  | { kind: 'dm'; value: DirectMessage; done: AppendCallback<DirectMessage> }
  | { kind: 'session'; value: StoredSession; at: number }
  | { kind: 'sessionGone'; tokenHash: string }
  | { kind: 'sessionsLive'; at: number }

export interface HistoryStoreOptions {
  /** A callback passed to an append threw; reported here so one bad callback cannot fail the batch. */
  onCallbackError?: (error: unknown) => void
}

export function openHistoryStore(dataDir: string, options: HistoryStoreOptions = {}): HistoryStore {
  mkdirSync(dataDir, { recursive: true })
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE))
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`)
  migrate(db)

  const roomSeq = new Map<string, number>()
  for (const row of db.prepare('SELECT name FROM rooms').all() as { name: string }[]) roomSeq.set(row.name, 0)
  for (const row of db.prepare('SELECT room, MAX(id) AS last FROM messages GROUP BY room').all() as {
    room: string
    last: number
  }[]) {
    roomSeq.set(row.room, row.last)
  }
  let dmSeq = (db.prepare('SELECT COALESCE(MAX(id), 0) AS last FROM dms').get() as { last: number }).last
  let messageCount = (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
  let dmCount = (db.prepare('SELECT COUNT(*) AS n FROM dms').get() as { n: number }).n

  const {
    insertRoom,
    insertMessage,
    insertDm,
    selectMessageByCid,
    selectMessageById,
    selectDmById,
    selectDmByCid,
    selectNewest,
    selectBefore,
    selectAfter,
    selectDmsAfter,
    upsertSession,
    removeSession,
    stampLiveSessions,
    selectSessions
  } = prepareStatements(db)

  let queue: PendingWrite[] = []
  let scheduled: NodeJS.Immediate | undefined
  let closed = false
  let pruner: HistoryPruner | undefined

  function schedule(): void {
    if (scheduled === undefined) scheduled = setImmediate(flush)
  }

  function write(item: PendingWrite): void {
    switch (item.kind) {
      case 'message': {
        const m = item.value
        insertMessage.run(
          m.room,
          m.id,
          m.from.id,
          m.from.nick,
          m.text,
          m.ts,
          m.cid ?? null,
          filesColumn(m.files)
        )
        return
      }
      case 'dm': {
        const d = item.value
        insertDm.run(
          d.id,
          d.from.id,
          d.from.nick,
          d.to.id,
          d.to.nick,
          d.text,
          d.ts,
          d.cid ?? null,
          filesColumn(d.files)
        )
        return
      }
      case 'session': {
        const { tokenHash, user, rooms, droppedAt } = item.value
        upsertSession.run(tokenHash, user.id, user.nick, JSON.stringify(rooms), item.at, droppedAt)
        return
      }
      case 'sessionGone':
        removeSession.run(item.tokenHash)
        return
      case 'sessionsLive':
        stampLiveSessions.run(item.at)
        return
    }
  }

  function enqueue(item: PendingWrite): void {
    assertOpen()
    queue.push(item)
    schedule()
  }

  function settle(batch: PendingWrite[], error: Error | null): void {
    for (const item of batch) {
      try {
        if (item.kind === 'message') item.done(error, error ? undefined : item.value)
        else if (item.kind === 'dm') item.done(error, error ? undefined : item.value)
      } catch (callbackError) {
        options.onCallbackError?.(callbackError)
      }
    }
  }

  function flush(): void {
    if (scheduled !== undefined) clearImmediate(scheduled)
    scheduled = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    let error: Error | null = null
    try {
      db.exec('BEGIN')
      for (const item of batch) write(item)
      db.exec('COMMIT')
      for (const item of batch) {
        if (item.kind === 'message') messageCount++
        else if (item.kind === 'dm') dmCount++
      }
    } catch (cause) {
      error = cause instanceof Error ? cause : new Error(String(cause))
      if (db.isTransaction) db.exec('ROLLBACK')
    }
    settle(batch, error)
  }

  function assertOpen(): void {
    if (closed) throw new Error('The history store is closed.')
  }

  function page(statement: StatementSync, args: (string | number)[], limit: number): Page<ChatMessage> {
    const rows = statement.all(...args, limit + 1) as unknown as MessageRow[]
    const hasMore = rows.length > limit
    if (hasMore) rows.length = limit
    return { messages: rows.reverse().map(toMessage), hasMore }
  }

  return {
    appendMessage(room, from, text, done, cid, files) {
      assertOpen()
      const id = (roomSeq.get(room) ?? 0) + 1
      roomSeq.set(room, id)
      const value: ChatMessage = {
        room,
        id,
        from,
        text,
        ts: Date.now(),
        ...(cid !== undefined ? { cid } : {}),
        ...(files && files.length > 0 ? { files } : {})
      }
      queue.push({ kind: 'message', value, done })
      schedule()
      return value
    },
    appendDm(from, to, text, done, cid, files) {
      assertOpen()
      dmSeq += 1
      const value: DirectMessage = {
        id: dmSeq,
        from,
        to,
        text,
        ts: Date.now(),
        ...(cid !== undefined ? { cid } : {}),
        ...(files && files.length > 0 ? { files } : {})
      }
      queue.push({ kind: 'dm', value, done })
      schedule()
      return value
    },
    messageById(room, id) {
      const row = selectMessageById.get(room, id) as MessageRow | undefined
      return row && toMessage(row)
    },
    dmById(id) {
      const row = selectDmById.get(id) as DmRow | undefined
      return row && toDm(row)
    },
    findMessageByCid(room, fromId, cid, window) {
      const after = Math.max(0, (roomSeq.get(room) ?? 0) - window)
      const row = selectMessageByCid.get(room, after, fromId, cid) as MessageRow | undefined
      return row && toMessage(row)
    },
    findDmByCid(fromId, toId, cid, window) {
      const row = selectDmByCid.get(fromId, Math.max(0, dmSeq - window), toId, cid) as DmRow | undefined
      return row && toDm(row)
    },
    page(room, limit, before) {
      return before === undefined
        ? page(selectNewest, [room], limit)
        : page(selectBefore, [room, before], limit)
    },
    messagesAfter(room, afterId, max) {
      return page(selectAfter, [room, afterId], max)
    },
    dmsAfter(userId, afterId, max) {
      const rows = selectDmsAfter.all(userId, afterId, userId, afterId, max + 1) as unknown as DmRow[]
      const hasMore = rows.length > max
      if (hasMore) rows.length = max
      return { messages: rows.reverse().map(toDm), hasMore }
    },
    ensureRoom(name) {
      assertOpen()
      if (roomSeq.has(name)) return false
      insertRoom.run(name, Date.now())
      roomSeq.set(name, 0)
      return true
    },
    roomNames() {
      return [...roomSeq.keys()]
    },
    counts() {
      return { messages: messageCount, dms: dmCount }
    },
    saveSession(session) {
      enqueue({ kind: 'session', value: session, at: Date.now() })
    },
    deleteSession(tokenHash) {
      if (!closed) enqueue({ kind: 'sessionGone', tokenHash })
    },
    markLiveSessions() {
      if (!closed) enqueue({ kind: 'sessionsLive', at: Date.now() })
    },
    loadSessions() {
      const rows = selectSessions.all() as unknown as {
        token_hash: string
        user_id: string
        nick: string
        rooms: string
        updated_at: number
        dropped_at: number | null
      }[]
      return rows.map((row) => ({
        tokenHash: row.token_hash,
        user: { id: row.user_id, nick: row.nick },
        rooms: JSON.parse(row.rooms) as string[],
        droppedAt: row.dropped_at,
        lastLive: row.dropped_at ?? row.updated_at
      }))
    },
    flush,
    close() {
      if (closed) return
      flush()
      closed = true
      db.close()
    },
    prune(policy, now) {
      assertOpen()
      pruner ??= createHistoryPruner(db)
      const removed = pruner.step(policy, now)
      messageCount -= removed.messages
      dmCount -= removed.dms
      return removed
    }
  }
}
