/**
 * The SQLite history's schema: its tables, the migrations from older files (and the full-text
 * index), and the row shapes with their mapping to the protocol's messages.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { FileInfo } from '../../shared/file-info'
import type { ChatMessage, DirectMessage, Reaction } from '../../shared/protocol'

/**
 * 2: `cid` on messages and dms (the sender's idempotency key). 3: `dropped_at` on sessions.
 * 4: `files` on messages and dms (their attachments as JSON; the files themselves live in files/).
 * 5: `reply_to`, `edited_at`, `deleted`, `reactions` (JSON) and `rev` (change number) on messages.
 * 6: full-text search (FTS5): `messages_fts`, `dms_fts`, `search_rows`, kept by triggers (room
 *    messages since by history/search-indexer.ts, in batches; the file format is unchanged).
 */
export const SCHEMA_VERSION = 6

export interface MessageRow {
  room: string
  id: number
  from_id: string
  from_nick: string
  text: string
  ts: number
  cid: string | null
  files: string | null
  reply_to: number | null
  edited_at: number | null
  deleted: number | null
  reactions: string | null
  rev: number | null
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
    ...(row.files !== null ? { files: JSON.parse(row.files) as FileInfo[] } : {}),
    ...(row.reply_to !== null ? { replyTo: row.reply_to } : {}),
    ...(row.edited_at !== null ? { editedAt: row.edited_at } : {}),
    ...(row.deleted ? { deleted: true as const } : {}),
    ...(row.reactions !== null ? { reactions: JSON.parse(row.reactions) as Reaction[] } : {}),
    ...(row.rev !== null ? { rev: row.rev } : {})
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
export function addColumnIfMissing(db: DatabaseSync, table: string, column: string, type: string): void {
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
  for (const [column, type] of [
    ['reply_to', 'INTEGER'],
    ['edited_at', 'INTEGER'],
    ['deleted', 'INTEGER'],
    ['reactions', 'TEXT'],
    ['rev', 'INTEGER']
  ] as const) {
    addColumnIfMissing(db, 'messages', column, type)
  }
  // Partial: a message enters it only when first changed, so plain inserts pay nothing for it.
  db.exec('CREATE INDEX IF NOT EXISTS messages_by_rev ON messages (room, rev) WHERE rev IS NOT NULL')
  migrateSearch(db)
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
}

/**
 * Full-text search with SQLite's FTS5 (built into node:sqlite's SQLite). Contentless indexes (the
 * text lives once, in messages and dms) that allow deletes; triggers keep them in step with every
 * edit and deletion, and with every DM; new room messages go in in batches (search-indexer.ts).
 * messages has no rowid, so `search_rows` gives each room message one, in arrival order: a search
 * walks the index newest first and stops once it has enough matches in the searcher's rooms,
 * however common the word (sorting every match by time instead costs, for a word like "the",
 * a sort of most of the history).
 */
export function migrateSearch(db: DatabaseSync): void {
  // Whether the index exists, not the version number: it is built from what the file holds once.
  const indexed = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_rows'")
    .get()
  const rowOf = (m: string) => `(SELECT rowid FROM search_rows WHERE room = ${m}.room AND id = ${m}.id)`
  db.exec(`
    CREATE TABLE IF NOT EXISTS search_rows (rowid INTEGER PRIMARY KEY, room TEXT NOT NULL, id INTEGER NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS search_rows_by_message ON search_rows (room, id);
    CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
      text, content = '', contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS dms_fts USING fts5(
      text, content = '', contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2'
    );
    -- New room messages are indexed in batches after their commit (history/search-indexer.ts):
    -- files from before that had a trigger for it, and an edit trigger without the guard below.
    -- An edit of a message not yet indexed leaves the index alone; the indexer reads the text as
    -- it is by then. A new name for the guarded trigger, so that an open of an up-to-date file
    -- changes nothing (dropping a trigger that is not there, or creating one that is, writes no
    -- schema).
    DROP TRIGGER IF EXISTS messages_fts_insert;
    DROP TRIGGER IF EXISTS messages_fts_update;
    CREATE TRIGGER IF NOT EXISTS messages_fts_edit AFTER UPDATE OF text ON messages
    WHEN old.text IS NOT new.text AND ${rowOf('new')} IS NOT NULL BEGIN
      DELETE FROM messages_fts WHERE rowid = ${rowOf('old')};
      INSERT INTO messages_fts (rowid, text) SELECT ${rowOf('new')}, new.text WHERE new.deleted IS NOT 1;
    END;
    CREATE TRIGGER IF NOT EXISTS dms_fts_insert AFTER INSERT ON dms BEGIN
      INSERT INTO dms_fts (rowid, text) VALUES (new.id, new.text);
    END;
    -- Retention (history-retention.ts) deletes rows: their words leave the index with them, so
    -- a search's LIMIT is never spent on messages that are gone.
    CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN
      DELETE FROM messages_fts WHERE rowid = ${rowOf('old')};
      DELETE FROM search_rows WHERE room = old.room AND id = old.id;
    END;
    CREATE TRIGGER IF NOT EXISTS dms_fts_delete AFTER DELETE ON dms BEGIN
      DELETE FROM dms_fts WHERE rowid = old.id;
    END;
  `)
  if (indexed) return
  // A file from before search: index what it holds once, oldest first.
  db.exec(`
    INSERT INTO search_rows (room, id) SELECT room, id FROM messages ORDER BY ts, room, id;
    INSERT INTO messages_fts (rowid, text)
      SELECT s.rowid, m.text FROM search_rows s JOIN messages m ON m.room = s.room AND m.id = s.id
      WHERE m.deleted IS NOT 1;
    INSERT INTO dms_fts (rowid, text) SELECT id, text FROM dms;
  `)
}

/** FTS5 query text for `words`: each quoted (so nothing typed is an operator), the last a prefix. */
export function ftsQuery(words: string[]): string {
  return words.map((w, i) => `"${w.replaceAll('"', '')}"${i === words.length - 1 ? '*' : ''}`).join(' ')
}
