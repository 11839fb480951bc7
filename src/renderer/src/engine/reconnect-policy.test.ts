import { describe, expect, it } from 'vitest'
import { ReconnectPolicy } from './reconnect-policy'

describe('ReconnectPolicy', () => {
  it('doubles the ceiling from 1 s up to the 30 s cap, with full jitter below it', () => {
    const policy = new ReconnectPolicy({ random: () => 0.999999 })
    const delays = Array.from({ length: 8 }, () => {
      const decision = policy.next(1006, 0)
      if (!decision.retry) throw new Error('expected a retry')
      return decision.delayMs
    })
    expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999])
  })

  it('picks anywhere from 0 up to the ceiling (full jitter)', () => {
    const low = new ReconnectPolicy({ random: () => 0 })
    const mid = new ReconnectPolicy({ random: () => 0.5 })
    expect(low.next(1006, 0)).toEqual({ retry: true, delayMs: 0, attempt: 1 })
    mid.next(1006, 0)
    expect(mid.next(1001, 0)).toEqual({ retry: true, delayMs: 1000, attempt: 2 })
  })

  it('never retries after 4401, 4403, 4409, 4410 (kicked) or 4411 (banned), and stops after 1000', () => {
    const policy = new ReconnectPolicy()
    expect(policy.next(4410, 0)).toEqual({ retry: false, reason: 'ask' })
    expect(policy.next(4411, 0)).toEqual({ retry: false, reason: 'ask' })
    expect(policy.next(4401, 0)).toEqual({ retry: false, reason: 'ask' })
    expect(policy.next(4403, 0)).toEqual({ retry: false, reason: 'ask' })
    expect(policy.next(4409, 0)).toEqual({ retry: false, reason: 'ask' })
    expect(policy.next(1000, 0)).toEqual({ retry: false, reason: 'stop' })
  })

  it('retries 1001, 1006, 1011, 1012, and waits longer after 1013 and 4429', () => {
    for (const code of [1001, 1006, 1011, 1012]) {
      expect(new ReconnectPolicy({ random: () => 0 }).next(code, 0)).toMatchObject({
        retry: true,
        delayMs: 0
      })
    }
    for (const code of [1013, 4429]) {
      expect(new ReconnectPolicy({ random: () => 0 }).next(code, 0)).toMatchObject({
        retry: true,
        delayMs: 5000
      })
    }
  })

  it('starts over after a connection that stayed up for a minute', () => {
    const policy = new ReconnectPolicy({ random: () => 0.999999 })
    policy.next(1006, 0)
    policy.next(1006, 0)
    policy.next(1006, 0)
    expect(policy.next(1006, 59_999)).toMatchObject({ attempt: 4, delayMs: 7999 })
    expect(policy.next(1006, 60_000)).toMatchObject({ attempt: 1, delayMs: 999 })
  })

  it('rejects a cap below the base', () => {
    expect(() => new ReconnectPolicy({ baseMs: 1000, capMs: 10 })).toThrow(TypeError)
  })
})
