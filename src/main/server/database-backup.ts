/**
 * `parley-server backup FILE`: a consistent copy of the history database taken while the server
 * keeps running, from a separate process.
 *
 * `VACUUM INTO` reads the whole database inside one read transaction, so the copy is the
 * database as of the moment that transaction began: every commit before it (every message the
 * server had acknowledged, since it acknowledges only after the commit) and nothing half-written.
 * In WAL mode a reader never blocks the server's writer, so clients do not notice. node:sqlite's
 * `backup()` (Node >= 22.16) copies pages in steps instead and starts over whenever another
 * process writes in between, which under a steady stream of messages may never finish.
 *
 * The copy is written beside FILE under a temporary name, checked, synced and only then renamed,
 * so FILE is either a complete, verified backup or absent.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { DATABASE_FILE } from './history-store'

export interface BackupResult {
  file: string
  bytes: number
  messages: number
  dms: number
}

export type BackupErrorCode = 'no_database' | 'target_exists' | 'target_dir_missing' | 'copy_failed'

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'BackupError'
  }
}

/** How long the reader waits for a lock: only a checkpoint-in-progress can make it wait at all. */
const BUSY_TIMEOUT_MS = 5000

function count(db: DatabaseSync, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
}

export function backupDatabase(dataDir: string, target: string): BackupResult {
  const source = join(resolve(dataDir), DATABASE_FILE)
  const file = resolve(target)
  if (!existsSync(source)) {
    throw new BackupError('no_database', `No history database at ${source}: check --data.`)
  }
  if (existsSync(file)) {
    throw new BackupError(
      'target_exists',
      `${file} already exists: give a new file name (backups never overwrite).`
    )
  }
  if (!existsSync(dirname(file))) {
    throw new BackupError('target_dir_missing', `The folder ${dirname(file)} does not exist.`)
  }
  const partial = `${file}.partial-${process.pid}`
  rmSync(partial, { force: true })
  try {
    const db = new DatabaseSync(source)
    try {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      db.prepare('VACUUM INTO ?').run(partial)
    } finally {
      db.close()
    }
    const copy = new DatabaseSync(partial)
    let result: Omit<BackupResult, 'bytes'>
    try {
      const check = copy.prepare('PRAGMA quick_check').get() as { quick_check: string }
      if (check.quick_check !== 'ok') throw new Error(`the copy failed its check: ${check.quick_check}`)
      result = { file, messages: count(copy, 'messages'), dms: count(copy, 'dms') }
    } finally {
      copy.close()
    }
    // VACUUM INTO does not sync what it wrote: a power cut right after would leave a torn copy.
    const fd = openSync(partial, 'r+')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(partial, file)
    return { ...result, bytes: statSync(file).size }
  } catch (error) {
    rmSync(partial, { force: true })
    if (error instanceof BackupError) throw error
    throw new BackupError('copy_failed', `The backup failed: ${(error as Error).message}`)
  }
}
