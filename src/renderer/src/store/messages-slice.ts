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

    sendMessage(text) {
      const { engine, current, dms } = get()
      const trimmed = text.replace(/\s+$/, '')
      if (!engine || !current || !trimmed.trim()) return
      if (isDmKey(current)) {
        const peer = dms.find((d) => dmKey(d.id) === current)
        if (!peer) return
        engine.post({ kind: 'dm', to: peer.id, toNick: peer.nick }, trimmed)
      } else {
        engine.post({ kind: 'room', room: current }, trimmed)
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
