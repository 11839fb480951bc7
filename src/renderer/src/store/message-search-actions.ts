import { DEFAULT_LIMITS } from '../../../shared/protocol'
import type { MessagesSlice, SliceCreator } from './store-types'

type MessageSearchActions = Pick<MessagesSlice, 'runSearch' | 'closeSearch' | 'showResult'>

/** The search box: asks the server, and a picked result opens its channel at the message. */
export function createMessageSearchActions(now: () => number): SliceCreator<MessageSearchActions> {
  return (set, get) => ({
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
    }
  })
}
