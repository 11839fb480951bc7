import { isDmKey, type ChannelLog, type MessageEntry } from './channel-log'
import type { MessagesSlice, SliceCreator } from './store-types'

type MessageEditActions = Pick<
  MessagesSlice,
  'startReply' | 'cancelReply' | 'startEdit' | 'cancelEdit' | 'saveEdit' | 'deleteMessage' | 'toggleReaction'
>

function findMessage(log: ChannelLog | undefined, id: number): MessageEntry | undefined {
  const entry = log?.entries.find((e) => e.kind === 'message' && e.id === id)
  return entry?.kind === 'message' ? entry : undefined
}

/**
 * What a person does to a message already in a room (its actions menu): reply, edit, delete,
 * react. Rooms only: DMs have none of these yet. An edit, deletion or reaction shows once the
 * server announces it to the room.
 */
export const createMessageEditActions: SliceCreator<MessageEditActions> = (set, get) => ({
  startReply(id) {
    const { current } = get()
    if (current && !isDmKey(current)) set({ replyingTo: { channel: current, id }, editing: null })
  },

  cancelReply() {
    set({ replyingTo: null })
  },

  startEdit(id) {
    const { current } = get()
    if (current && !isDmKey(current)) set({ editing: { channel: current, id } })
  },

  cancelEdit() {
    set({ editing: null })
  },

  saveEdit(id, text) {
    const { engine, editing } = get()
    const trimmed = text.replace(/\s+$/, '')
    if (!engine || !editing || editing.id !== id || !trimmed.trim()) return
    const entry = findMessage(get().logs[editing.channel], id)
    if (entry && entry.text !== trimmed)
      engine.send({ type: 'edit', room: editing.channel, id, text: trimmed })
    set({ editing: null })
  },

  deleteMessage(id) {
    const { engine, current } = get()
    if (engine && current && !isDmKey(current)) engine.send({ type: 'delete', room: current, id })
  },

  toggleReaction(id, emoji) {
    const { engine, current, me, logs } = get()
    if (!engine || !current || isDmKey(current) || !me) return
    const entry = findMessage(logs[current], id)
    const mine = entry?.reactions?.some((r) => r.emoji === emoji && r.users.includes(me.id)) ?? false
    engine.send({ type: 'react', room: current, id, emoji, on: !mine })
  }
})
