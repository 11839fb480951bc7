import { describe, expect, it } from 'vitest'
import { createGuessThrottle } from './guess-throttle'

const options = {
  freeFailures: 2,
  baseDelayMs: 100,
  maxDelayMs: 300,
  maxFailures: 6,
  windowMs: 10_000,
  lockoutMs: 60_000,
  maxAddresses: 3
}

describe('guess throttle', () => {
  it('answers the first failures at once, then with a growing delay, then refuses', () => {
    const throttle = createGuessThrottle(options)
    const delays = Array.from({ length: 6 }, () => {
      expect(throttle.check('a', 0)).toEqual({ allowed: true })
      return throttle.failed('a', 0)
    })
    expect(delays).toEqual([0, 0, 100, 200, 300, 300])
    expect(throttle.check('a', 1000)).toEqual({ allowed: false, retryAfterMs: 59_000 })
    // Another address is not punished for this one's guesses.
    expect(throttle.check('b', 1000)).toEqual({ allowed: true })
  })

  it('lets the address in again after the lockout, with its free failures back', () => {
    const throttle = createGuessThrottle(options)
    for (let i = 0; i < 6; i++) throttle.failed('a', 0)
    expect(throttle.check('a', 59_999).allowed).toBe(false)
    expect(throttle.check('a', 60_000)).toEqual({ allowed: true })
    expect(throttle.failed('a', 60_000)).toBe(0)
  })

  it('forgets failures after a quiet window, and on a right secret', () => {
    const throttle = createGuessThrottle(options)
    for (let i = 0; i < 4; i++) throttle.failed('a', 0)
    expect(throttle.failed('a', 20_000)).toBe(0)
    throttle.failed('b', 0)
    throttle.failed('b', 0)
    throttle.succeeded('b', 0)
    expect(throttle.failed('b', 0)).toBe(0)
  })

  it('keeps at most maxAddresses entries, forgetting the least recently failed', () => {
    const throttle = createGuessThrottle(options)
    throttle.failed('a', 0)
    throttle.failed('a', 0)
    throttle.failed('b', 0)
    throttle.failed('b', 0)
    for (const address of ['c', 'd']) throttle.failed(address, 0)
    expect(throttle.size).toBe(3)
    // 'a' was forgotten when 'd' arrived, so this is its first failure again; 'b' was kept.
    expect(throttle.failed('b', 0)).toBe(100)
    expect(throttle.failed('a', 0)).toBe(0)
  })

  it('rejects nonsense settings with a TypeError naming them', () => {
    expect(() => createGuessThrottle({ maxFailures: 0 })).toThrow(/maxFailures/)
    expect(() => createGuessThrottle({ lockoutMs: Number.NaN })).toThrow(/lockoutMs/)
  })
})
