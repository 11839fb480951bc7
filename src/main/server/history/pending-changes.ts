/**
 * Messages with a change still queued, as they will be once it commits. `messageById` answers
 * with them at once, so a check made against it (may this user edit it? is it deleted?) holds
 * when the change lands, and a second change applies on top of the first.
 */
import type { ChatMessage } from '../../../shared/protocol'

export interface PendingChanges {
  get(room: string, id: number): ChatMessage | undefined
  queued(message: ChatMessage): void
  /** A change left the queue: the row (or, if its commit failed, the old row) answers again. */
  settled(message: ChatMessage): void
}

export function createPendingChanges(): PendingChanges {
  const pending = new Map<string, { value: ChatMessage; queued: number }>()
  const keyOf = (room: string, id: number) => `${room}\u0000${id}`
  return {
    get: (room, id) => pending.get(keyOf(room, id))?.value,
    queued(message) {
      const key = keyOf(message.room, message.id)
      pending.set(key, { value: message, queued: (pending.get(key)?.queued ?? 0) + 1 })
    },
    settled(message) {
      const key = keyOf(message.room, message.id)
      const entry = pending.get(key)
      if (entry && --entry.queued === 0) pending.delete(key)
    }
  }
}
