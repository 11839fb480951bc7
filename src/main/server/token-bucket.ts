/**
 * A token bucket: `burst` messages at once, then `perSecond` steadily. Refills lazily from the
 * clock on each take, so an idle connection costs nothing (no timers per connection).
 */
export interface TokenBucket {
  /** Takes one token; false when the bucket is empty (the caller decides what that costs). */
  take(now?: number): boolean
}

export function createTokenBucket(burst: number, perSecond: number, now = Date.now()): TokenBucket {
  if (!(burst >= 1) || !(perSecond > 0)) {
    throw new TypeError(`A token bucket needs burst >= 1 and perSecond > 0 (got ${burst}, ${perSecond}).`)
  }
  let tokens = burst
  let last = now
  return {
    take(at = Date.now()) {
      if (at > last) {
        tokens = Math.min(burst, tokens + ((at - last) * perSecond) / 1000)
        last = at
      }
      if (tokens < 1) return false
      tokens -= 1
      return true
    }
  }
}
