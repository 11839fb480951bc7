/**
 * One log (a room's, or the DMs) as this node mirrors it, applied strictly in id order. The
 * script's answer and the published copy of a message are both offered and the first applies it;
 * one that arrives ahead of a gap is held, and a gap the published copies have not filled after
 * GAP_WAIT_MS is read from the Stream.
 */
import type { Origin } from './history-wire'

/** A gap in a log's ids that the published copies have not filled after this reads the Stream. */
export const GAP_WAIT_MS = 50

export interface OrderedLog<T> {
  /** Dense from id 1: message n sits at n - 1. */
  readonly messages: readonly T[]
  /** The last id applied (0 before the first). */
  readonly last: number
  /** Applies `value` when it is the next id; holds it while earlier ones are missing. */
  offer(value: T, origin: Origin): void
  /** Redis lost the history (a new epoch): ids start again from 1. */
  reset(): void
  /** Stops waiting for a gap. */
  dispose(): void
}

export function createOrderedLog<T extends { id: number }>(
  apply: (value: T, origin: Origin) => void,
  readGap: () => void
): OrderedLog<T> {
  let messages: T[] = []
  let last = 0
  const ahead = new Map<number, { value: T; origin: Origin }>()
  let gapTimer: NodeJS.Timeout | undefined

  function append(value: T, origin: Origin): void {
    messages.push(value)
    last = value.id
    apply(value, origin)
  }

  return {
    get messages() {
      return messages
    },
    get last() {
      return last
    },
    offer(value, origin) {
      if (value.id <= last) return
      if (value.id > last + 1) {
        ahead.set(value.id, { value, origin })
        gapTimer ??= setTimeout(() => {
          gapTimer = undefined
          readGap()
        }, GAP_WAIT_MS)
        return
      }
      append(value, origin)
      let next = ahead.get(last + 1)
      while (next) {
        ahead.delete(next.value.id)
        append(next.value, next.origin)
        next = ahead.get(last + 1)
      }
      for (const id of ahead.keys()) if (id <= last) ahead.delete(id)
      if (ahead.size === 0 && gapTimer) {
        clearTimeout(gapTimer)
        gapTimer = undefined
      }
    },
    reset() {
      messages = []
      last = 0
      ahead.clear()
    },
    dispose() {
      if (gapTimer) clearTimeout(gapTimer)
    }
  }
}
