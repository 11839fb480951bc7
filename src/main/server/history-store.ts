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
import { applyChange } from './message-changes'
import {
  filesColumn,
  ftsQuery,
  migrate,
  toDm,
  toMessage,
  type DmRow,
  type MessageRow
} from './history-schema'
import type { AppendCallback, MessageExtras, Page, SearchPage, StoredSession, Store } from './store'
import {
  createHistoryPruner,
  type HistoryPruner,
  type PruneStep,
  type RetentionPolicy
} from './history-retention'

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
    files?: FileInfo[],
    extras?: MessageExtras
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
  readonly messageChanges: true
  changeMessage: NonNullable<Store['changeMessage']>
  roomRev: NonNullable<Store['roomRev']>
  changesAfter: NonNullable<Store['changesAfter']>
  search: NonNullable<Store['search']>
}

type PendingWrite =
  | { kind: 'message'; value: ChatMessage; done: AppendCallback<ChatMessage> }
  | { kind: 'dm'; value: DirectMessage; done: AppendCallback<DirectMessage> }
  | { kind: 'change'; value: ChatMessage; done: AppendCallback<ChatMessage> }
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
  const revSeq = new Map<string, number>()
  for (const row of db
    .prepare('SELECT room, MAX(rev) AS last FROM messages WHERE rev IS NOT NULL GROUP BY room')
    .all() as { room: string; last: number }[]) {
    revSeq.set(row.room, row.last)
  }
  /** Messages with a change still queued, as they will be once it commits (key: room NUL id). */
  const changedPending = new Map<string, { value: ChatMessage; queued: number }>()
  let dmSeq = (db.prepare('SELECT COALESCE(MAX(id), 0) AS last FROM dms').get() as { last: number }).last
  let messageCount = (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
  let dmCount = (db.prepare('SELECT COUNT(*) AS n FROM dms').get() as { n: number }).n

  const insertRoom = db.prepare('INSERT OR IGNORE INTO rooms (name, created_at) VALUES (?, ?)')
  const insertMessage = db.prepare(
    'INSERT INTO messages (room, id, from_id, from_nick, text, ts, cid, files, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const updateMessage = db.prepare(
    'UPDATE messages SET text = ?, edited_at = ?, deleted = ?, reactions = ?, rev = ?, files = ? WHERE room = ? AND id = ?'
  )
  // Newest first through the index itself, so LIMIT ends the walk (see migrateSearch); CROSS JOIN
  // keeps SQLite from starting anywhere else.
  const selectSearchMessages = db.prepare(`
    SELECT m.* FROM messages_fts f
    CROSS JOIN search_rows s ON s.rowid = f.rowid
    CROSS JOIN messages m ON m.room = s.room AND m.id = s.id
    WHERE messages_fts MATCH ? AND s.room IN (SELECT value FROM json_each(?))
    ORDER BY f.rowid DESC LIMIT ?`)
  const selectSearchDms = db.prepare(`
    SELECT d.* FROM dms_fts f JOIN dms d ON d.id = f.rowid
    WHERE dms_fts MATCH ? AND (d.from_id = ? OR d.to_id = ?)
    ORDER BY f.rowid DESC LIMIT ?`)
  const selectChangesAfter = db.prepare(
    'SELECT * FROM messages WHERE room = ? AND rev > ? ORDER BY rev DESC LIMIT ?'
  )
  const insertDm = db.prepare(
    'INSERT INTO dms (id, from_id, from_nick, to_id, to_nick, text, ts, cid, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  // No index on cid: these run only for sends right after a restart (see hub/earlier-send.ts), and a range of
  // the primary key (or of dms_by_from) is cheap, whereas an index would cost every insert.
  const selectMessageByCid = db.prepare(
    'SELECT * FROM messages WHERE room = ? AND id > ? AND from_id = ? AND cid = ? LIMIT 1'
  )
  const selectMessageById = db.prepare('SELECT * FROM messages WHERE room = ? AND id = ?')
  const selectDmById = db.prepare('SELECT * FROM dms WHERE id = ?')
  const selectDmByCid = db.prepare(
    'SELECT * FROM dms WHERE from_id = ? AND id > ? AND to_id = ? AND cid = ? LIMIT 1'
  )
  const selectNewest = db.prepare('SELECT * FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?')
  const selectBefore = db.prepare('SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?')
  const selectAfter = db.prepare('SELECT * FROM messages WHERE room = ? AND id > ? ORDER BY id DESC LIMIT ?')
  // Two indexed halves instead of `from_id = ? OR to_id = ?`, which SQLite cannot serve from one index.
  const selectDmsAfter = db.prepare(`
    SELECT * FROM (
      SELECT * FROM dms WHERE from_id = ? AND id > ?
      UNION
      SELECT * FROM dms WHERE to_id = ? AND id > ?
    ) ORDER BY id DESC LIMIT ?`)

  const upsertSession = db.prepare(
    'INSERT OR REPLACE INTO sessions (token_hash, user_id, nick, rooms, updated_at, dropped_at) VALUES (?, ?, ?, ?, ?, ?)'
  )
  const removeSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?')
  const stampLiveSessions = db.prepare('UPDATE sessions SET updated_at = ? WHERE dropped_at IS NULL')
  const selectSessions = db.prepare(
    'SELECT token_hash, user_id, nick, rooms, updated_at, dropped_at FROM sessions'
  )

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
          filesColumn(m.files),
          m.replyTo ?? null
        )
        return
      }
      case 'change': {
        const m = item.value
        const reactions = m.reactions ? JSON.stringify(m.reactions) : null
        updateMessage.run(
          m.text,
          m.editedAt ?? null,
          m.deleted ? 1 : 0,
          reactions,
          m.rev ?? null,
          filesColumn(m.files),
          m.room,
          m.id
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
        if (item.kind === 'message' || item.kind === 'change')
          item.done(error, error ? undefined : item.value)
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
    for (const item of batch) if (item.kind === 'change') settledChange(item.value)
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

  /** The change left the queue: the row (or, if its commit failed, the old row) answers again. */
  function settledChange(message: ChatMessage): void {
    const key = `${message.room}\u0000${message.id}`
    const pending = changedPending.get(key)
    if (pending && --pending.queued === 0) changedPending.delete(key)
  }

  function storedMessage(room: string, id: number): ChatMessage | undefined {
    const pending = changedPending.get(`${room}\u0000${id}`)
    if (pending) return pending.value
    const row = selectMessageById.get(room, id) as MessageRow | undefined
    return row && toMessage(row)
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
    messageChanges: true,
    appendMessage(room, from, text, done, cid, files, extras) {
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
        ...(files && files.length > 0 ? { files } : {}),
        ...(extras?.replyTo !== undefined ? { replyTo: extras.replyTo } : {})
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
    messageById: storedMessage,
    changeMessage(room, id, change, done) {
      assertOpen()
      const current = storedMessage(room, id)
      if (!current || current.deleted) {
        const missing = new Error(`No message ${id} in #${room} to change.`)
        queueMicrotask(() => done(missing, undefined))
        return
      }
      const rev = (revSeq.get(room) ?? 0) + 1
      revSeq.set(room, rev)
      const value = applyChange(current, change, rev, Date.now())
      const key = `${room}\u0000${id}`
      changedPending.set(key, { value, queued: (changedPending.get(key)?.queued ?? 0) + 1 })
      queue.push({ kind: 'change', value, done })
      schedule()
    },
    search({ words, rooms, userId, limit }): SearchPage {
      if (words.length === 0) return { messages: [], dms: [], hasMore: false }
      const match = ftsQuery(words)
      const rows = selectSearchMessages.all(
        match,
        JSON.stringify(rooms),
        limit + 1
      ) as unknown as MessageRow[]
      const dmRows = selectSearchDms.all(match, userId, userId, limit + 1) as unknown as DmRow[]
      const hasMore = rows.length > limit || dmRows.length > limit
      return {
        messages: rows.slice(0, limit).map(toMessage),
        dms: dmRows.slice(0, limit).map(toDm),
        hasMore
      }
    },
    roomRev(room) {
      return revSeq.get(room) ?? 0
    },
    changesAfter(room, rev, max) {
      const rows = selectChangesAfter.all(room, rev, max + 1) as unknown as MessageRow[]
      const hasMore = rows.length > max
      if (hasMore) rows.length = max
      return { messages: rows.reverse().map(toMessage), hasMore }
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
