import { describe, expect, it } from 'vitest'
import { RingBuffer } from './ring-buffer'

describe('RingBuffer', () => {
  it('keeps the newest items once full, oldest first', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 5; i++) ring.push(i)
    expect(ring.toArray()).toEqual([3, 4, 5])
    expect(ring.size).toBe(3)
    expect(ring.totalPushed).toBe(5)
  })

  it('caps the inspector frame log at 5,000 however many frames arrive', () => {
    const ring = new RingBuffer<{ seq: number }>(5000)
    for (let seq = 1; seq <= 12_345; seq++) ring.push({ seq })
    const frames = ring.toArray()
    expect(frames).toHaveLength(5000)
    expect(frames[0]?.seq).toBe(7346)
    expect(frames.at(-1)?.seq).toBe(12_345)
  })

  it('clears, and rejects a capacity that is not a positive integer', () => {
    const ring = new RingBuffer<string>(2)
    ring.push('a')
    ring.clear()
    expect(ring.toArray()).toEqual([])
    expect(() => new RingBuffer(0)).toThrow(TypeError)
    expect(() => new RingBuffer(1.5)).toThrow(TypeError)
  })
})
