/**
 * The SQLite history's schema: its tables, the migrations from older files, and the row shapes
 * with their mapping to the protocol's messages.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { FileInfo } from '../../shared/file-info'
import type { ChatMessage, DirectMessage } from '../../shared/protocol'

/**
 * 2: `cid` on messages and dms (the sender's idempotency key). 3: `dropped_at` on sessions.
 * 4: `files` on messages and dms (their attachments as JSON; the files themselves live in files/).
 */
const SCHEMA_VERSION = 4

export interface MessageRow {
  room: string
  id: number
  from_id: string
  from_nick: string
  text: string
  ts: number
  cid: string | null
  files: string | null
}
export interface DmRow {
  id: number
  from_id: string
  from_nick: string
  to_id: string
  to_nick: string
  text: string
  ts: number
  cid: string | null
  files: string | null
}

export function toMessage(row: MessageRow): ChatMessage {
  return {
    room: row.room,
    id: row.id,
    from: { id: row.from_id, nick: row.from_nick },
    text: row.text,
    ts: row.ts,
    ...(row.cid !== null ? { cid: row.cid } : {}),
    ...(row.files !== null ? { files: JSON.parse(row.files) as FileInfo[] } : {})
  }
}

export function toDm(row: DmRow): DirectMessage {
  return {
    id: row.id,
    from: { id: row.from_id, nick: row.from_nick },
    to: { id: row.to_id, nick: row.to_nick },
    text: row.text,
    ts: row.ts,
    ...(row.cid !== null ? { cid: row.cid } : {}),
    ...(row.files !== null ? { files: JSON.parse(row.files) as FileInfo[] } : {})
  }
}

/** Attachments as stored: NULL for a message without any (most of them), so rows stay small. */
export function filesColumn(files: FileInfo[] | undefined): string | null {
  return files && files.length > 0 ? JSON.stringify(files) : null
}

/** Files written by schema 1 lack the column; adding a nullable column rewrites nothing. */
function addColumnIfMissing(db: DatabaseSync, table: string, column: string, type: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]
  if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`)
}

export function migrate(db: DatabaseSync): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `The history file was written by a newer Parley (schema ${version}, this one knows ${SCHEMA_VERSION}). Use a newer Parley or another --data directory.`
    )
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS rooms (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS messages (
      room TEXT NOT NULL, id INTEGER NOT NULL, from_id TEXT NOT NULL, from_nick TEXT NOT NULL,
      text TEXT NOT NULL, ts INTEGER NOT NULL, cid TEXT, PRIMARY KEY (room, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS dms (
      id INTEGER PRIMARY KEY, from_id TEXT NOT NULL, from_nick TEXT NOT NULL, to_id TEXT NOT NULL,
      to_nick TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL, cid TEXT
    );
    CREATE INDEX IF NOT EXISTS dms_by_from ON dms (from_id, id);
    CREATE INDEX IF NOT EXISTS dms_by_to ON dms (to_id, id);
    CREATE TABLE IF NOT EXISTS sessions (
      token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, nick TEXT NOT NULL, rooms TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
  `)
  addColumnIfMissing(db, 'messages', 'cid', 'TEXT')
  addColumnIfMissing(db, 'dms', 'cid', 'TEXT')
  addColumnIfMissing(db, 'messages', 'files', 'TEXT')
  addColumnIfMissing(db, 'dms', 'files', 'TEXT')
  // Rows from schema 2 get NULL: treated as live at their updated_at, the most they can claim.
  addColumnIfMissing(db, 'sessions', 'dropped_at', 'INTEGER')
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
}
