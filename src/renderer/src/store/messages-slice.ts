import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { dmKey, isDmKey, oldestMessageId } from './channel-log'
import { createMessageEditActions } from './message-edit-actions'
import { createMessageSearchActions } from './message-search-actions'
import type { MessagesSlice, SliceCreator, SliceState } from './store-types'
import { createTypingThrottle } from './typing-throttle'

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

/**
 * Channels' logs and what the person sends into them: messages (through the engine's outbox),
 * typing notices, older pages; plus the edit and search actions, composed from their own modules.
 */
export function createMessagesSlice(now: () => number): SliceCreator<MessagesSlice> {
  const typingThrottle = createTypingThrottle()

  return (set, get, api) => ({
    ...initialMessagesState(),
    ...createMessageEditActions(set, get, api),
    ...createMessageSearchActions(now)(set, get, api),

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
      typingThrottle.reset()
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
      if (typingThrottle.tooSoon(current, at)) return
      if (engine.send({ type: 'typing', room: current })) typingThrottle.sent(current, at)
    },

    dismissNotice() {
      set({ notice: null })
    }
  })
}
