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
import { RefillingBucket } from './token-bucket'

/**
 * How often the loop is sampled. Each tick wakes an idle server, and a wake-up is not free: at 20
 * a second these ticks cost an idle-ish server ~3 ms of CPU a second (docs/benchmarks.md, "Issue
 * 17"). A stall is measured from the tick before it, so a coarser tick under-counts it by up to
 * one tick: 250 ms, well inside the burst (3 s of a paced client's backlog).
 */
const TICK_MS = 250
/**
 * A gap between ticks this much longer than a tick counts as a stall. Shorter ones need no
 * forgiveness: the burst (30 frames at 10 a second) already covers 3 s of a paced client's
 * backlog, and forgiving the short stalls of a busy server would let floods through.
 */
const STALL_MS = 2000
/** After a stall, how long its backlog may take to read (it is read in the first poll after it). */
const CATCH_UP_MS = 500
/** No stall is forgiven beyond this: a client cannot bank more than this much sending. */
const MAX_FORGIVEN_MS = 30_000

export interface Stall {
  /** The tick before it: one stall, one allowance. */
  startedAt: number
  ms: number
  /** When it was noticed. */
  endedAt: number
}

export interface LoopStallMonitor {
  /** A stall that ended within the catch-up window before `now`, if any. */
  recentStall(now?: number): Stall | undefined
  dispose(): void
}

export function createLoopStallMonitor(): LoopStallMonitor {
  let lastTick = Date.now()
  let stall: Stall | undefined
  let checkedThisTurn = false
  function observe(now: number): void {
    const gap = now - lastTick - TICK_MS
    if (gap > STALL_MS && stall?.startedAt !== lastTick) {
      stall = { startedAt: lastTick, ms: Math.min(gap, MAX_FORGIVEN_MS), endedAt: now }
    }
  }
  const timer = setInterval(() => {
    const now = Date.now()
    observe(now)
    lastTick = now
  }, TICK_MS)
  timer.unref()
  return {
    recentStall(now = Date.now()) {
      // A frame may be read before the late tick runs (libuv can poll sockets before the timers
      // that fell due during a stall), so the first frame of a turn looks at the clock itself.
      // Only the first: later frames of the same turn would count the time spent reading them.
      if (!checkedThisTurn) {
        checkedThisTurn = true
        setImmediate(() => (checkedThisTurn = false))
        observe(now)
      }
      return stall && now - stall.endedAt <= CATCH_UP_MS ? stall : undefined
    },
    dispose: () => clearInterval(timer)
  }
}

/**
 * A connection's rate limit: a token bucket that, right after a stall, also lets through what
 * `perSecond` would have refilled during the stall: the frames a client sent while the server was
 * not reading. Once per stall and bucket, at most 30 s worth. One instance per connection, so it
 * extends the bucket rather than wrapping it (one object instead of two and their closures).
 */
export class StallTolerantBucket extends RefillingBucket {
  private readonly refillPerSecond: number
  private readonly monitor: LoopStallMonitor
  private seen: Stall | undefined = undefined
  private left = 0

  constructor(burst: number, perSecond: number, monitor: LoopStallMonitor, now = Date.now()) {
    super(burst, perSecond, now)
    this.refillPerSecond = perSecond
    this.monitor = monitor
  }

  override take(at = Date.now()): boolean {
    // Asked before taking, so the turn's first frame is the one that looks at the clock.
    const stall = this.monitor.recentStall(at)
    if (super.take(at)) return true
    if (!stall) return false
    if (stall !== this.seen) {
      this.seen = stall
      this.left = Math.floor((stall.ms * this.refillPerSecond) / 1000)
    }
    if (this.left <= 0) return false
    this.left--
    return true
  }
}
