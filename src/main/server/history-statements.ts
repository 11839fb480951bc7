/**
 * The SQLite history's prepared statements, prepared once when the store opens.
 */
import type { DatabaseSync } from 'node:sqlite'

export type HistoryStatements = ReturnType<typeof prepareStatements>

export function prepareStatements(db: DatabaseSync) {
  const insertRoom = db.prepare('INSERT OR IGNORE INTO rooms (name, created_at) VALUES (?, ?)')
  const insertMessage = db.prepare(
    'INSERT INTO messages (room, id, from_id, from_nick, text, ts, cid, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
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
  return {
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
  }
}
