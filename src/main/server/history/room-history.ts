/**
 * Rooms and their messages, the part of the SQLite Store they make up. Ids and change numbers
 * are given at enqueue time, from sequences seeded from the file, so order is fixed the moment a
 * message (or a change) arrives; the row is written with the turn's commit (write-queue.ts).
 */
import type { ChatMessage } from '../../../shared/protocol'
import { applyChange } from '../message-changes'
import type { Store } from '../store'
import type { MessagesTable } from './messages-table'
import { createPendingChanges } from './pending-changes'
import type { WriteQueue } from './write-queue'

/** The Store's rooms and room messages, its appends answering the message as it will be stored. */
export type RoomHistory = Pick<
  Store,
  'messageById' | 'findMessageByCid' | 'page' | 'messagesAfter' | 'ensureRoom' | 'roomNames'
> &
  Required<Pick<Store, 'changeMessage' | 'roomRev' | 'changesAfter'>> & {
    appendMessage(...args: Parameters<Store['appendMessage']>): ChatMessage
  }

/** The room history, and the hook its queued changes need from the write queue. */
export interface RoomHistoryPart {
  store: RoomHistory
  /** A change left the queue (write-queue.ts `taken`). */
  changeSettled(message: ChatMessage): void
}

export function createRoomHistory(table: MessagesTable, queue: WriteQueue): RoomHistoryPart {
  const lastId = new Map<string, number>()
  for (const room of table.roomNames()) lastId.set(room, 0)
  for (const { room, last } of table.lastIds()) lastId.set(room, last)
  const lastRev = new Map<string, number>()
  for (const { room, last } of table.lastRevs()) lastRev.set(room, last)
  const changes = createPendingChanges()

  const storedMessage = (room: string, id: number) => changes.get(room, id) ?? table.byId(room, id)

  const store: RoomHistory = {
    appendMessage(room, from, text, done, cid, files, extras) {
      queue.assertOpen()
      const id = (lastId.get(room) ?? 0) + 1
      lastId.set(room, id)
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
      return value
    },
    messageById: storedMessage,
    changeMessage(room, id, change, done) {
      queue.assertOpen()
      const current = storedMessage(room, id)
      if (!current || current.deleted) {
        const missing = new Error(`No message ${id} in #${room} to change.`)
        queueMicrotask(() => done(missing, undefined))
        return
      }
      const rev = (lastRev.get(room) ?? 0) + 1
      lastRev.set(room, rev)
      const value = applyChange(current, change, rev, Date.now())
      changes.queued(value)
      queue.push({ kind: 'change', value, done })
    },
    roomRev: (room) => lastRev.get(room) ?? 0,
    changesAfter: (room, rev, max) => table.changesAfter(room, rev, max),
    findMessageByCid(room, fromId, cid, window) {
      return table.byCid(room, Math.max(0, (lastId.get(room) ?? 0) - window), fromId, cid)
    },
    page: (room, limit, before) => table.page(room, limit, before),
    messagesAfter: (room, afterId, max) => table.after(room, afterId, max),
    ensureRoom(name) {
      queue.assertOpen()
      if (lastId.has(name)) return false
      table.addRoom(name, Date.now())
      lastId.set(name, 0)
      return true
    },
    roomNames: () => [...lastId.keys()]
  }
  return { store, changeSettled: (message) => changes.settled(message) }
}
