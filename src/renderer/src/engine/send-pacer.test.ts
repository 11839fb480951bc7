import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from './clock'
import { SendPacer } from './send-pacer'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('SendPacer', () => {
  it('sends a burst at once, then holds the rest to the steady rate, in order', () => {
    const sent: string[] = []
    const pacer = new SendPacer(systemClock, (d) => sent.push(d), 30, 10)
    pacer.setLimits(30, 10) // 27 at once, then 9 per second
    for (let i = 0; i < 45; i++) pacer.send(`m${i}`)
    expect(sent).toHaveLength(27)
    expect(pacer.waiting).toBe(18)
    vi.advanceTimersByTime(1000)
    expect(sent).toHaveLength(36)
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual(Array.from({ length: 45 }, (_, i) => `m${i}`))
  })

  it('never exceeds what the server bucket allows over any window', () => {
    const sent: number[] = []
    const pacer = new SendPacer(systemClock, () => sent.push(Date.now()), 30, 10)
    pacer.setLimits(30, 10)
    const start = Date.now()
    for (let i = 0; i < 200; i++) pacer.send('x')
    vi.advanceTimersByTime(30_000)
    expect(sent).toHaveLength(200)
    // The server's bucket: 30 at once plus 10 per second since the start.
    for (const [i, at] of sent.entries()) expect(i + 1).toBeLessThanOrEqual(30 + ((at - start) * 10) / 1000)
  })

  it('drops what was queued for a connection that is gone', () => {
    const sent: string[] = []
    const pacer = new SendPacer(systemClock, (d) => sent.push(d), 2, 1)
    for (let i = 0; i < 5; i++) pacer.send(`m${i}`)
    pacer.reset()
    vi.advanceTimersByTime(10_000)
    expect(sent).toEqual(['m0', 'm1'])
  })
})
