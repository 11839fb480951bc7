/**
 * The statements on `rooms` and `messages` (tables in history-schema.ts), prepared once at open:
 * they run for every message.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { ChatMessage } from '../../../shared/protocol'
import { filesColumn, toMessage, type MessageRow } from '../history-schema'
import type { Page } from '../store'
import { newestFirstPage } from './newest-first-page'

export interface MessagesTable {
  addRoom(name: string, createdAt: number): void
  insert(message: ChatMessage): void
  /** Writes what a change can change: text, edit time, deletion, reactions, change number, files. */
  update(message: ChatMessage): void
  byId(room: string, id: number): ChatMessage | undefined
  /** The message `fromId` sent to `room` with `cid`, among the ids after `afterId`. */
  byCid(room: string, afterId: number, fromId: string, cid: string): ChatMessage | undefined
  /** The newest `limit` (before the id `before`, if given), oldest first. */
  page(room: string, limit: number, before?: number): Page<ChatMessage>
  after(room: string, afterId: number, max: number): Page<ChatMessage>
  /** The messages changed after `rev`, in change order. */
  changesAfter(room: string, rev: number, max: number): Page<ChatMessage>
  count(): number
  /** What the sequences start from at open: the rooms, and each room's last id and last change. */
  roomNames(): string[]
  lastIds(): { room: string; last: number }[]
  lastRevs(): { room: string; last: number }[]
}

export function prepareMessagesTable(db: DatabaseSync): MessagesTable {
  const insertRoom = db.prepare('INSERT OR IGNORE INTO rooms (name, created_at) VALUES (?, ?)')
  const insertMessage = db.prepare(
    'INSERT INTO messages (room, id, from_id, from_nick, text, ts, cid, files, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const updateMessage = db.prepare(
    'UPDATE messages SET text = ?, edited_at = ?, deleted = ?, reactions = ?, rev = ?, files = ? WHERE room = ? AND id = ?'
  )
  const selectById = db.prepare('SELECT * FROM messages WHERE room = ? AND id = ?')
  // No index on cid: these run only for sends right after a restart (see hub/earlier-send.ts), and a range of
  // the primary key (or of dms_by_from) is cheap, whereas an index would cost every insert.
  const selectByCid = db.prepare(
    'SELECT * FROM messages WHERE room = ? AND id > ? AND from_id = ? AND cid = ? LIMIT 1'
  )
  const selectNewest = db.prepare('SELECT * FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?')
  const selectBefore = db.prepare('SELECT * FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?')
  const selectAfter = db.prepare('SELECT * FROM messages WHERE room = ? AND id > ? ORDER BY id DESC LIMIT ?')
  const selectChangesAfter = db.prepare(
    'SELECT * FROM messages WHERE room = ? AND rev > ? ORDER BY rev DESC LIMIT ?'
  )
  const rows = (value: unknown) => value as MessageRow[]

  return {
    addRoom: (name, createdAt) => void insertRoom.run(name, createdAt),
    insert(m) {
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
    },
    update(m) {
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
    },
    byId(room, id) {
      const row = selectById.get(room, id) as MessageRow | undefined
      return row && toMessage(row)
    },
    byCid(room, afterId, fromId, cid) {
      const row = selectByCid.get(room, afterId, fromId, cid) as MessageRow | undefined
      return row && toMessage(row)
    },
    page(room, limit, before) {
      const found =
        before === undefined ? selectNewest.all(room, limit + 1) : selectBefore.all(room, before, limit + 1)
      return newestFirstPage(rows(found), limit, toMessage)
    },
    after: (room, afterId, max) =>
      newestFirstPage(rows(selectAfter.all(room, afterId, max + 1)), max, toMessage),
    changesAfter: (room, rev, max) =>
      newestFirstPage(rows(selectChangesAfter.all(room, rev, max + 1)), max, toMessage),
    count: () => (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n,
    roomNames: () =>
      (db.prepare('SELECT name FROM rooms').all() as { name: string }[]).map((row) => row.name),
    lastIds: () =>
      db.prepare('SELECT room, MAX(id) AS last FROM messages GROUP BY room').all() as {
        room: string
        last: number
      }[],
    lastRevs: () =>
      db.prepare('SELECT room, MAX(rev) AS last FROM messages WHERE rev IS NOT NULL GROUP BY room').all() as {
        room: string
        last: number
      }[]
  }
}
