/**
 * The delay fault's queue for one socket: every frame leaves at or after its due time, and never
 * before a frame queued earlier, so a client under delay still sees the server's order.
 */
import type { OutboundFrame } from './fanout'

export interface DelayedFrames {
  readonly empty: boolean
  /** Queues the frame to leave `delayMs` from now, or right behind the last queued one if later. */
  push(frame: OutboundFrame, delayMs: number): void
  /** Stops the timer and hands back what had not left yet, in order. */
  take(): OutboundFrame[]
}

/** `write` puts a due frame on the wire (the caller checks that the socket is still open). */
export function createDelayedFrames(write: (frame: OutboundFrame) => void): DelayedFrames {
  const queue: { dueAt: number; frame: OutboundFrame }[] = []
  let timer: NodeJS.Timeout | undefined

  function drain(): void {
    timer = undefined
    const now = Date.now()
    while (queue.length > 0 && (queue[0]?.dueAt ?? 0) <= now) write(queue.shift()!.frame)
    const head = queue[0]
    if (head) timer = setTimeout(drain, head.dueAt - now)
  }

  return {
    get empty() {
      return queue.length === 0
    },
    push(frame, delayMs) {
      const last = queue.at(-1)?.dueAt ?? 0
      queue.push({ dueAt: Math.max(Date.now() + delayMs, last), frame })
      if (timer === undefined) timer = setTimeout(drain, delayMs)
    },
    take() {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      return queue.splice(0).map((entry) => entry.frame)
    }
  }
}
