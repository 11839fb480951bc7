/**
 * Presence coalesced per room per event-loop turn. Sending each join to every other member made
 * connecting N clients cost N²/2 frames (docs/benchmarks.md, "Presence makes joining O(N²)"):
 * a join storm now costs one frame per member per turn. A room with a single event in a turn
 * still gets today's plain `presence` frame; several become one `presence_batch`, in order.
 */
import type { ServerMessage, User } from '../../shared/protocol'

export type PresenceEvent = 'join' | 'leave'

interface Pending<C> {
  events: { event: PresenceEvent; user: User }[]
  /** The joiner of a lone join is not told of itself (it got `joined`); only kept for one event. */
  except: C | undefined
}

export interface PresenceBatcher<C> {
  queue(room: string, event: PresenceEvent, user: User, except?: C): void
  /** Sends what is queued now: called before any other room broadcast so presence is never overtaken. */
  flush(): void
  dispose(): void
}

export function createPresenceBatcher<C>(
  broadcast: (room: string, message: ServerMessage, except?: C) => void
): PresenceBatcher<C> {
  let pending = new Map<string, Pending<C>>()
  let scheduled: NodeJS.Immediate | undefined

  function flush(): void {
    if (scheduled !== undefined) clearImmediate(scheduled)
    scheduled = undefined
    if (pending.size === 0) return
    const rooms = pending
    pending = new Map()
    for (const [room, { events, except }] of rooms) {
      const only = events.length === 1 ? events[0] : undefined
      if (only) {
        broadcast(room, { type: 'presence', room, event: only.event, user: only.user }, except)
      } else {
        // One frame for every member: a member may find its own join in it (renderers skip those).
        broadcast(room, { type: 'presence_batch', room, events })
      }
    }
  }

  return {
    queue(room, event, user, except) {
      const entry = pending.get(room)
      if (entry) {
        entry.events.push({ event, user })
        entry.except = undefined
      } else {
        pending.set(room, { events: [{ event, user }], except })
      }
      scheduled ??= setImmediate(flush)
    },
    flush,
    dispose() {
      if (scheduled !== undefined) clearImmediate(scheduled)
      scheduled = undefined
      pending.clear()
    }
  }
}
