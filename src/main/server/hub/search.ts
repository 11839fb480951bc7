/**
 * `search`: the words of a query, in the rooms the sender is in (or the one it names) and in the
 * sender's DMs, through the Store's full-text index. The query is cut into words here, so no
 * store ever sees search syntax it did not make itself.
 */
import type { HandlersFor } from './dispatch'
import type { HubContext } from './hub-context'
import { forViewer } from './message-views'
import { requireRoom } from './room-membership'

/** At most this many words count: more narrow nothing a person meant and cost the index work. */
const MAX_WORDS = 8

/** Lower-cased runs of letters and digits: what the index's unicode61 tokenizer keeps. */
export function searchWords(q: string): string[] {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS)
}

export function createSearchHandlers(ctx: HubContext): HandlersFor<'search'> {
  const { store, limits } = ctx
  return {
    search(connection, session, { q, room }) {
      if (q.length > limits.maxSearchLength) {
        const sentence = `A search is at most ${limits.maxSearchLength} characters; this one is ${q.length}.`
        ctx.sendError(connection, 'query_too_long', sentence, 'search')
        return
      }
      if (room !== undefined && !requireRoom(ctx, connection, session, room, 'search')) return
      if (!store.messageChanges || !store.search) {
        const sentence = 'This server cannot search messages (its message store does not support it).'
        ctx.sendError(connection, 'unsupported', sentence, 'search')
        return
      }
      const page = store.search({
        words: searchWords(q),
        rooms: room !== undefined ? [room] : [...session.rooms],
        // One room asked for: its messages only, no DMs.
        userId: room !== undefined ? '' : session.user.id,
        limit: limits.searchResultsMax
      })
      const viewer = session.user.id
      ctx.send(connection, {
        type: 'search',
        q,
        results: forViewer(ctx.withinBudget({ messages: page.messages, hasMore: false }).messages, viewer),
        dms: forViewer(page.dms, viewer),
        hasMore: page.hasMore
      })
    }
  }
}
