import { describe, expect, it } from 'vitest'
import { createTokenBucket } from './token-bucket'

describe('token bucket', () => {
  it('allows the burst at once, then the steady rate', () => {
    const bucket = createTokenBucket(3, 2, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false
    ])
    expect(bucket.take(499)).toBe(false)
    expect(bucket.take(500)).toBe(true)
    expect(bucket.take(500)).toBe(false)
  })

  it('never refills beyond the burst', () => {
    const bucket = createTokenBucket(2, 10, 0)
    const taken = Array.from({ length: 5 }, () => bucket.take(60_000)).filter(Boolean)
    expect(taken).toHaveLength(2)
  })

  it('rejects nonsense settings with a TypeError naming them', () => {
    expect(() => createTokenBucket(0, 1)).toThrow(TypeError)
    expect(() => createTokenBucket(1, 0)).toThrow(/perSecond/)
  })
})
