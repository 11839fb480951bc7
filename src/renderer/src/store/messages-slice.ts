import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { dmKey, isDmKey, oldestMessageId, type ChannelLog, type MessageEntry } from './channel-log'
import type { MessagesSlice, SliceCreator, SliceState } from './store-types'

export const initialMessagesState = (): SliceState<MessagesSlice> => ({
  logs: {},
  outbox: [],
  typing: {},
  notice: null,
  replyingTo: null,
  editing: null,
  jump: null,
  flashed: null,
  search: null
})

/** Typing notices go out at most this often while the person keeps typing. */
const TYPING_THROTTLE_MS = 3000

function findMessage(log: ChannelLog | undefined, id: number): MessageEntry | undefined {
  const entry = log?.entries.find((e) => e.kind === 'message' && e.id === id)
  return entry?.kind === 'message' ? entry : undefined
}

export function createMessagesSlice(now: () => number): SliceCreator<MessagesSlice> {
  let lastTypingSent = 0
  let lastTypingRoom: string | null = null

  return (set, get) => ({
    ...initialMessagesState(),

    sendMessage(text, files = []) {
      const { engine, current, dms, replyingTo } = get()
      const trimmed = text.replace(/\s+$/, '')
      if (!engine || !current || (!trimmed.trim() && files.length === 0)) return
      // Files alone need no text; whitespace around them is no caption.
      const body = trimmed.trim() ? trimmed : ''
      if (isDmKey(current)) {
        const peer = dms.find((d) => dmKey(d.id) === current)
        if (!peer) return
        engine.post({ kind: 'dm', to: peer.id, toNick: peer.nick }, body, files)
      } else {
        const replyTo = replyingTo?.channel === current ? replyingTo.id : undefined
        engine.post(
          { kind: 'room', room: current, ...(replyTo !== undefined ? { replyTo } : {}) },
          body,
          files
        )
      }
      if (replyingTo) set({ replyingTo: null })
      lastTypingSent = 0
    },

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
    },

    runSearch(q) {
      const { engine } = get()
      const query = q.trim().slice(0, DEFAULT_LIMITS.maxSearchLength)
      if (!engine || !query) return
      if (engine.send({ type: 'search', q: query })) {
        set({ search: { q: query, pending: true, results: [], dms: [], hasMore: false } })
      }
    },

    closeSearch() {
      set({ search: null })
    },

    showResult(channel, id) {
      get().selectChannel(channel)
      set({ jump: { channel, id, at: now() } })
    },

    jumpToMessage(id) {
      const { current } = get()
      if (current) set({ jump: { channel: current, id, at: now() } })
    },

    retryMessage(cid) {
      get().engine?.retry(cid)
    },

    discardMessage(cid) {
      get().engine?.discard(cid)
    },

    loadOlder(key) {
      const { engine, logs } = get()
      const log = logs[key]
      if (!engine || !log || !log.hasMore || log.loadingOlder || isDmKey(key)) return
      const before = oldestMessageId(log)
      const sent = engine.send({
        type: 'history',
        room: key,
        ...(before !== undefined ? { before } : {}),
        limit: DEFAULT_LIMITS.historyPageMax
      })
      if (sent) set({ logs: { ...logs, [key]: { ...log, loadingOlder: true } } })
    },

    notifyTyping() {
      const { engine, current } = get()
      if (!engine || !current || isDmKey(current)) return
      const at = now()
      if (current === lastTypingRoom && at - lastTypingSent < TYPING_THROTTLE_MS) return
      if (engine.send({ type: 'typing', room: current })) {
        lastTypingSent = at
        lastTypingRoom = current
      }
    },

    dismissNotice() {
      set({ notice: null })
    }
  })
}
