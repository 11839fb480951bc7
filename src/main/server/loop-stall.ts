/**
 * The rate limiter must charge frames at the pace the client sent them, not at the pace the
 * server got round to reading them. When the event loop stalls (the attack run blocked it for
 * 16.5 s), a well-paced client's frames pile up in the socket and arrive in one read; a token
 * bucket capped at its burst then closed clients sending 9.5 frames a second with 4429.
 *
 * This watches for stalls with a coarse timer (libuv runs timers before it polls sockets, so the
 * stall is on record before the backlog is read) and, for a moment after one, lets a bucket hold
 * the tokens it would have earned during the stall on top of its burst.
 */
import type { TokenBucket } from './token-bucket'

/** How often the loop is sampled; a stall shorter than two ticks is within the burst anyway. */
const TICK_MS = 50
/** A late tick counts as a stall beyond this. */
const STALL_MS = 250
/** After a stall, how long the backlog it left may take to read. */
const CATCH_UP_MS = 2000
/** No stall is forgiven beyond this: a client cannot bank more than this much sending. */
const MAX_FORGIVEN_MS = 30_000

export interface Stall {
  /** When it ended (the late tick): one stall, one allowance. */
  endedAt: number
  ms: number
}

export interface LoopStallMonitor {
  /** A stall that ended within the catch-up window before `now`, if any. */
  recentStall(now?: number): Stall | undefined
  dispose(): void
}

export function createLoopStallMonitor(): LoopStallMonitor {
  let expected = Date.now() + TICK_MS
  let stall: Stall | undefined
  const timer = setInterval(() => {
    const now = Date.now()
    const late = now - expected
    if (late > STALL_MS) stall = { endedAt: now, ms: Math.min(late, MAX_FORGIVEN_MS) }
    expected = now + TICK_MS
  }, TICK_MS)
  timer.unref()
  return {
    recentStall: (now = Date.now()) => (stall && now - stall.endedAt <= CATCH_UP_MS ? stall : undefined),
    dispose: () => clearInterval(timer)
  }
}

/**
 * `bucket`, except that right after a stall it also lets through what `perSecond` would have
 * refilled during the stall: the frames a client sent while the server was not reading. Each
 * stall is forgiven once per bucket.
 */
export function stallTolerant(
  bucket: TokenBucket,
  perSecond: number,
  monitor: LoopStallMonitor
): TokenBucket {
  let forgiven: Stall | undefined
  let left = 0
  return {
    take(at = Date.now()) {
      if (bucket.take(at)) return true
      const stall = monitor.recentStall(at)
      if (!stall) return false
      if (stall !== forgiven) {
        forgiven = stall
        left = Math.floor((stall.ms * perSecond) / 1000)
      }
      if (left <= 0) return false
      left--
      return true
    }
  }
}
