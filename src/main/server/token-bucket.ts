/**
 * A token bucket: `burst` messages at once, then `perSecond` steadily. Refills lazily from the
 * clock on each take, so an idle connection costs nothing (no timers per connection).
 */
export interface TokenBucket {
  /** Takes one token; false when the bucket is empty (the caller decides what that costs). */
  take(now?: number): boolean
}

export function createTokenBucket(burst: number, perSecond: number, now = Date.now()): TokenBucket {
  return new RefillingBucket(burst, perSecond, now)
}

/**
 * A class, not a closure: every connection has one, and a closure with its context and its
 * object costs about three times an instance whose methods live on the prototype (the heap
 * census in docs/benchmarks.md, "Idle memory").
 */
export class RefillingBucket implements TokenBucket {
  private readonly burst: number
  private readonly perSecond: number
  private tokens: number
  private last: number

  constructor(burst: number, perSecond: number, now = Date.now()) {
    if (!(burst >= 1) || !(perSecond > 0)) {
      throw new TypeError(`A token bucket needs burst >= 1 and perSecond > 0 (got ${burst}, ${perSecond}).`)
    }
    this.burst = burst
    this.perSecond = perSecond
    this.tokens = burst
    this.last = now
  }

  take(at = Date.now()): boolean {
    if (at > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((at - this.last) * this.perSecond) / 1000)
      this.last = at
    }
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
