/**
 * Direct messages, the part of the SQLite Store they make up: one id sequence for the whole
 * server, given at enqueue time like a room's, and the statements on `dms`.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { DirectMessage } from '../../../shared/protocol'
import { filesColumn, toDm, type DmRow } from '../history-schema'
import type { Store } from '../store'
import { newestFirstPage } from './newest-first-page'
import type { WriteQueue } from './write-queue'

/** The Store's DMs, its append answering the DM as it will be stored. */
export type DirectMessages = Pick<Store, 'dmById' | 'findDmByCid' | 'dmsAfter'> & {
  appendDm(...args: Parameters<Store['appendDm']>): DirectMessage
}

export interface DirectMessagesPart {
  store: DirectMessages
  /** Writes a queued DM (write-queue.ts `write`). */
  insert(dm: DirectMessage): void
  count(): number
}

export function createDirectMessages(db: DatabaseSync, queue: WriteQueue): DirectMessagesPart {
  const insertDm = db.prepare(
    'INSERT INTO dms (id, from_id, from_nick, to_id, to_nick, text, ts, cid, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const selectById = db.prepare('SELECT * FROM dms WHERE id = ?')
  // No index on cid, as for room messages (messages-table.ts): a range of dms_by_from is cheap.
  const selectByCid = db.prepare(
    'SELECT * FROM dms WHERE from_id = ? AND id > ? AND to_id = ? AND cid = ? LIMIT 1'
  )
  // Two indexed halves instead of `from_id = ? OR to_id = ?`, which SQLite cannot serve from one index.
  const selectAfter = db.prepare(`
    SELECT * FROM (
      SELECT * FROM dms WHERE from_id = ? AND id > ?
      UNION
      SELECT * FROM dms WHERE to_id = ? AND id > ?
    ) ORDER BY id DESC LIMIT ?`)
  let lastId = (db.prepare('SELECT COALESCE(MAX(id), 0) AS last FROM dms').get() as { last: number }).last

  const store: DirectMessages = {
    appendDm(from, to, text, done, cid, files) {
      queue.assertOpen()
      lastId += 1
      const value: DirectMessage = {
        id: lastId,
        from,
        to,
        text,
        ts: Date.now(),
        ...(cid !== undefined ? { cid } : {}),
        ...(files && files.length > 0 ? { files } : {})
      }
      queue.push({ kind: 'dm', value, done })
      return value
    },
    dmById(id) {
      const row = selectById.get(id) as DmRow | undefined
      return row && toDm(row)
    },
    findDmByCid(fromId, toId, cid, window) {
      const row = selectByCid.get(fromId, Math.max(0, lastId - window), toId, cid) as DmRow | undefined
      return row && toDm(row)
    },
    dmsAfter(userId, afterId, max) {
      const rows = selectAfter.all(userId, afterId, userId, afterId, max + 1) as unknown as DmRow[]
      return newestFirstPage(rows, max, toDm)
    }
  }
  return {
    store,
    insert(d) {
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
    },
    count: () => (db.prepare('SELECT COUNT(*) AS n FROM dms').get() as { n: number }).n
  }
}
