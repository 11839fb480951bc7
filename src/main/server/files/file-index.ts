/**
 * What is known about stored files, in SQLite: one row per upload (the capability id, its name,
 * type, owner) and one per distinct content (the blob on disk, by SHA-256).
 *
 * A sibling of the history file (`<data>/files/files.sqlite`), not a table in parley.sqlite:
 * it lives beside the blobs it describes (the folder is the whole file store, to back up or
 * wipe together), it versions its own schema (PRAGMA user_version is per file, and the history
 * store refuses a file whose version it does not know), and its few writes (one per upload) never
 * wait on the message queue's batched commit, nor it on them. Writes commit at once: an upload
 * is answered only after its row is on disk.
 */
import { DatabaseSync } from 'node:sqlite'
import type { RasterType } from '../../../shared/file-info'

const SCHEMA_VERSION = 1
const BUSY_TIMEOUT_MS = 20

export interface StoredFile {
  id: string
  hash: string
  name: string
  size: number
  /** The type reported to clients (see file-store.ts for how it is decided). */
  type: string
  /** Sniffed from the bytes; null when the file is not a plain raster image. */
  raster: RasterType | null
  ownerId: string
  createdAt: number
  /** The message it is attached to (`#room:id` or `@dm:id`), or null while unattached. */
  message: string | null
}

interface FileRow {
  id: string
  hash: string
  name: string
  size: number
  type: string
  raster: string | null
  owner_id: string
  created_at: number
  message: string | null
}

function toFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    hash: row.hash,
    name: row.name,
    size: row.size,
    type: row.type,
    raster: row.raster as RasterType | null,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    message: row.message
  }
}

export interface FileIndex {
  byId(id: string): StoredFile | undefined
  hasBlob(hash: string): boolean
  /** Records an upload, and its blob when the content is new, in one commit. */
  add(file: StoredFile, newBlob: boolean): void
  /** Bytes of `ownerId`'s files that are still served. */
  usedBy(ownerId: string): number
  /** Bytes of every distinct blob on disk. */
  totalBlobBytes(): number
  /** Marks files as attached to `message`; only rows still unattached change. */
  attach(ids: readonly string[], message: string): void
  /**
   * Stops serving every file attached to `message`: their rows go, and the blobs no other row
   * refers to are returned so the caller deletes them from disk.
   */
  detachMessage(message: string): { removed: StoredFile[]; orphanBlobs: string[] }
  close(): void
}

export function openFileIndex(path: string): FileIndex {
  const db = new DatabaseSync(path)
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`)
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version
  if (version > SCHEMA_VERSION) {
    db.close()
    throw new Error(
      `The file index was written by a newer Parley (schema ${version}, this one knows ${SCHEMA_VERSION}). Use a newer Parley or another --data directory.`
    )
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS files (
      id TEXT PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL,
      type TEXT NOT NULL, raster TEXT, owner_id TEXT NOT NULL, created_at INTEGER NOT NULL, message TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS files_by_owner ON files (owner_id);
    CREATE INDEX IF NOT EXISTS files_by_hash ON files (hash);
    CREATE INDEX IF NOT EXISTS files_by_message ON files (message) WHERE message IS NOT NULL;
    PRAGMA user_version = ${SCHEMA_VERSION};
  `)
  const selectById = db.prepare('SELECT * FROM files WHERE id = ?')
  const selectBlob = db.prepare('SELECT 1 AS found FROM blobs WHERE hash = ?')
  const insertBlob = db.prepare('INSERT OR IGNORE INTO blobs (hash, size) VALUES (?, ?)')
  const insertFile = db.prepare(
    'INSERT INTO files (id, hash, name, size, type, raster, owner_id, created_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const selectUsed = db.prepare('SELECT COALESCE(SUM(size), 0) AS used FROM files WHERE owner_id = ?')
  const attachFile = db.prepare('UPDATE files SET message = ? WHERE id = ? AND message IS NULL')
  const selectByMessage = db.prepare('SELECT * FROM files WHERE message = ?')
  const deleteByMessage = db.prepare('DELETE FROM files WHERE message = ?')
  const selectRefs = db.prepare('SELECT 1 AS found FROM files WHERE hash = ? LIMIT 1')
  const deleteBlob = db.prepare('DELETE FROM blobs WHERE hash = ?')
  let totalBlobBytes = (
    db.prepare('SELECT COALESCE(SUM(size), 0) AS total FROM blobs').get() as { total: number }
  ).total

  function inTransaction<T>(work: () => T): T {
    db.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      db.exec('COMMIT')
      return result
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }

  return {
    byId(id) {
      const row = selectById.get(id) as FileRow | undefined
      return row ? toFile(row) : undefined
    },
    hasBlob: (hash) => selectBlob.get(hash) !== undefined,
    add(file, newBlob) {
      inTransaction(() => {
        if (newBlob) insertBlob.run(file.hash, file.size)
        insertFile.run(
          file.id,
          file.hash,
          file.name,
          file.size,
          file.type,
          file.raster,
          file.ownerId,
          file.createdAt,
          file.message
        )
      })
      if (newBlob) totalBlobBytes += file.size
    },
    usedBy: (ownerId) => (selectUsed.get(ownerId) as { used: number }).used,
    totalBlobBytes: () => totalBlobBytes,
    attach(ids, message) {
      inTransaction(() => {
        for (const id of ids) attachFile.run(message, id)
      })
    },
    detachMessage(message) {
      const sizes = new Map<string, number>()
      const result = inTransaction(() => {
        const removed = (selectByMessage.all(message) as unknown as FileRow[]).map(toFile)
        if (removed.length === 0) return { removed, orphanBlobs: [] }
        deleteByMessage.run(message)
        for (const file of removed) sizes.set(file.hash, file.size)
        const orphanBlobs = [...sizes.keys()].filter((hash) => selectRefs.get(hash) === undefined)
        for (const hash of orphanBlobs) deleteBlob.run(hash)
        return { removed, orphanBlobs }
      })
      // After the commit: a rolled-back delete frees nothing.
      for (const hash of result.orphanBlobs) totalBlobBytes -= sizes.get(hash) ?? 0
      return result
    },
    close: () => db.close()
  }
}
