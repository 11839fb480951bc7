import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { dmKey, isDmKey, oldestMessageId } from './channel-log'
import type { MessagesSlice, SliceCreator, SliceState } from './store-types'

export const initialMessagesState = (): SliceState<MessagesSlice> => ({
  logs: {},
  outbox: [],
  typing: {},
  notice: null
})

/** Typing notices go out at most this often while the person keeps typing. */
const TYPING_THROTTLE_MS = 3000

export function createMessagesSlice(now: () => number): SliceCreator<MessagesSlice> {
  let lastTypingSent = 0
  let lastTypingRoom: string | null = null

  return (set, get) => ({
    ...initialMessagesState(),

    sendMessage(text, files = []) {
      const { engine, current, dms } = get()
      const trimmed = text.replace(/\s+$/, '')
      if (!engine || !current || (!trimmed.trim() && files.length === 0)) return
      // Files alone need no text; whitespace around them is no caption.
      const body = trimmed.trim() ? trimmed : ''
      if (isDmKey(current)) {
        const peer = dms.find((d) => dmKey(d.id) === current)
        if (!peer) return
        engine.post({ kind: 'dm', to: peer.id, toNick: peer.nick }, body, files)
      } else {
        engine.post({ kind: 'room', room: current }, body, files)
      }
      lastTypingSent = 0
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
