/**
 * Presence coalesced per room. Sending each join to every other member made connecting N clients
 * cost N²/2 frames (docs/benchmarks.md, "Join storms were O(N²)"). A room's events wait
 * for a window that grows with the room: small rooms flush on the next turn of the event loop,
 * a room of N members waits about N / 40 ms (at most 250 ms), so a join storm into any room costs
 * at most ~40,000 presence frames a second instead of one frame per member per join. A room with
 * a single event in its window still gets the plain `presence` frame; several become one
 * `presence_batch`, in order.
 */
import type { ServerMessage, User } from '../../shared/protocol'

export type PresenceEvent = 'join' | 'leave'

/** Presence frames per millisecond a storming room may cost: the window is members ÷ this. */
export const PRESENCE_FRAMES_PER_MS = 40
/** The longest a presence event waits; a chat that shows a join a quarter second late is fine. */
export const PRESENCE_MAX_DELAY_MS = 250

/** How long a room of `members` people collects presence before sending it. */
export function presenceDelayMs(members: number): number {
  return Math.min(PRESENCE_MAX_DELAY_MS, Math.floor(members / PRESENCE_FRAMES_PER_MS))
}

interface Pending<C> {
  events: { event: PresenceEvent; user: User }[]
  /** The joiner of a lone join is not told of itself (it got `joined`); only kept for one event. */
  except: C | undefined
  /** performance.now() at which this room's window closes. */
  due: number
}

export interface PresenceBatcher<C> {
  /** `members` is the room's size now: it decides how long the room's window stays open. */
  queue(room: string, event: PresenceEvent, user: User, members: number, except?: C): void
  /**
   * Sends what is queued for `room` now (every room when omitted): called before any other
   * broadcast to the room so presence is never overtaken by a message.
   */
  flush(room?: string): void
  dispose(): void
}

export function createPresenceBatcher<C>(
  broadcast: (room: string, message: ServerMessage, except?: C) => void
): PresenceBatcher<C> {
  const pending = new Map<string, Pending<C>>()
  let immediate: NodeJS.Immediate | undefined
  let timer: NodeJS.Timeout | undefined
  let timerDue = Infinity

  function send(room: string, { events, except }: Pending<C>): void {
    pending.delete(room)
    const only = events.length === 1 ? events[0] : undefined
    if (only) {
      broadcast(room, { type: 'presence', room, event: only.event, user: only.user }, except)
    } else {
      // One frame for every member: a member may find its own join in it (renderers skip those).
      broadcast(room, { type: 'presence_batch', room, events })
    }
  }

  function flushDue(): void {
    immediate = undefined
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    timerDue = Infinity
    const now = performance.now()
    for (const [room, entry] of [...pending]) if (entry.due <= now + 1) send(room, entry)
    for (const entry of pending.values()) schedule(entry.due, now)
  }

  function schedule(due: number, now: number): void {
    if (due <= now) {
      immediate ??= setImmediate(flushDue)
    } else if (due < timerDue) {
      if (timer !== undefined) clearTimeout(timer)
      timerDue = due
      timer = setTimeout(flushDue, due - now)
    }
  }

  function cancelTimers(): void {
    if (immediate !== undefined) clearImmediate(immediate)
    if (timer !== undefined) clearTimeout(timer)
    immediate = timer = undefined
    timerDue = Infinity
  }

  return {
    queue(room, event, user, members, except) {
      const now = performance.now()
      const entry = pending.get(room)
      if (entry) {
        entry.events.push({ event, user })
        entry.except = undefined
        return
      }
      const due = now + presenceDelayMs(members)
      pending.set(room, { events: [{ event, user }], except, due })
      schedule(due, now)
    },
    flush(room) {
      if (room === undefined) {
        cancelTimers()
        for (const [name, entry] of [...pending]) send(name, entry)
        return
      }
      const entry = pending.get(room)
      if (entry) send(room, entry)
    },
    dispose() {
      cancelTimers()
      pending.clear()
    }
  }
}
