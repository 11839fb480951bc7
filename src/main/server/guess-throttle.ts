/**
 * Slows down and then refuses an address that keeps presenting a wrong secret (the server
 * password in a hello, the admin token on the HTTP API). One throttle serves both, so a guesser
 * cannot spend its allowance on one door and then start again on the other.
 *
 * The first few failures cost nothing (people mistype); after that each failure's answer is
 * delayed, doubling up to a ceiling, and once an address has failed `maxFailures` times within
 * `windowMs` it is refused outright for `lockoutMs`, right secret or not (otherwise the lockout
 * would not stop guessing). Failures are counted when they happen, before the delayed answer, so
 * guesses sent in parallel are counted as quickly as sequential ones. State is one small entry
 * per address that failed, in a Map capped at `maxAddresses` (the oldest is forgotten first).
 */

export interface GuessThrottleOptions {
  /** Failures answered without delay. */
  freeFailures: number
  /** The delay of the first delayed failure; each later one doubles it. */
  baseDelayMs: number
  maxDelayMs: number
  /** Failures within the window that lock the address out. */
  maxFailures: number
  /** Failures older than this (since the address's last failure) are forgotten. */
  windowMs: number
  lockoutMs: number
  maxAddresses: number
}

export const DEFAULT_GUESS_THROTTLE: GuessThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 250,
  maxDelayMs: 2000,
  maxFailures: 10,
  windowMs: 10 * 60_000,
  lockoutMs: 5 * 60_000,
  maxAddresses: 10_000
}

export type GuessVerdict =
  /** Check the secret. */
  | { allowed: true }
  /** Do not even check it: the address is locked out for `retryAfterMs` more. */
  | { allowed: false; retryAfterMs: number }

export interface GuessThrottle {
  /** Before checking a secret from this address. */
  check(address: string, now?: number): GuessVerdict
  /**
   * After a wrong secret: records it and returns how long to wait before answering (0 for the
   * first few failures).
   */
  failed(address: string, now?: number): number
  /** After a right secret: the address starts afresh. */
  succeeded(address: string, now?: number): void
  /** Addresses with failures on record (for tests and stats). */
  readonly size: number
}

interface Entry {
  failures: number
  lastFailureAt: number
  lockedUntil: number
}

export function createGuessThrottle(overrides: Partial<GuessThrottleOptions> = {}): GuessThrottle {
  const options = { ...DEFAULT_GUESS_THROTTLE, ...overrides }
  const problems = Object.entries(options)
    .filter(([, value]) => !(Number.isFinite(value) && value >= 0))
    .map(([key]) => key)
  if (options.maxFailures < 1) problems.push('maxFailures')
  if (options.maxAddresses < 1) problems.push('maxAddresses')
  if (problems.length > 0) {
    throw new TypeError(
      `A guess throttle needs non-negative numbers (maxFailures, maxAddresses >= 1): ${problems.join(', ')}.`
    )
  }
  const entries = new Map<string, Entry>()

  function current(address: string, now: number): Entry | undefined {
    const entry = entries.get(address)
    if (entry && entry.lockedUntil <= now && now - entry.lastFailureAt > options.windowMs) {
      entries.delete(address)
      return undefined
    }
    return entry
  }

  return {
    check(address, now = Date.now()) {
      const entry = current(address, now)
      if (entry && entry.lockedUntil > now) return { allowed: false, retryAfterMs: entry.lockedUntil - now }
      return { allowed: true }
    },
    failed(address, now = Date.now()) {
      const entry = current(address, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 }
      entry.failures += 1
      entry.lastFailureAt = now
      if (entry.failures >= options.maxFailures) {
        entry.lockedUntil = now + options.lockoutMs
        // The lockout is the penalty; afterwards the address gets its free failures back.
        entry.failures = 0
      }
      // Re-inserted so the Map's order is least recently failed first: that one goes when full.
      entries.delete(address)
      entries.set(address, entry)
      if (entries.size > options.maxAddresses) entries.delete(entries.keys().next().value as string)
      const delayed = entry.lockedUntil > now ? options.maxFailures : entry.failures
      if (delayed <= options.freeFailures) return 0
      return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (delayed - options.freeFailures - 1))
    },
    succeeded(address, now = Date.now()) {
      const entry = entries.get(address)
      if (entry && entry.lockedUntil <= now) entries.delete(address)
    },
    get size() {
      return entries.size
    }
  }
}
