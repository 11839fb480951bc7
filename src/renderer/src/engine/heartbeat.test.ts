import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ClientMessage } from '../../../shared/protocol'
import { systemClock } from './clock'
import { Heartbeat } from './heartbeat'

let pings: ClientMessage[]
let dead: number[]
let heartbeat: Heartbeat

beforeEach(() => {
  vi.useFakeTimers()
  pings = []
  dead = []
  heartbeat = new Heartbeat(
    systemClock,
    { pingIntervalMs: 10_000, deadAfterMs: 25_000 },
    { ping: (frame) => pings.push(frame), dead: (ms) => dead.push(ms) }
  )
})
afterEach(() => {
  heartbeat.stop()
  vi.useRealTimers()
})

describe('Heartbeat', () => {
  it('refuses a dead-peer limit that a ping period could not beat', () => {
    expect(
      () => new Heartbeat(systemClock, { pingIntervalMs: 10, deadAfterMs: 10 }, { ping() {}, dead() {} })
    ).toThrow(/deadAfterMs must be longer than pingIntervalMs/)
  })

  it('pings on its period with the clock time, and only reports silence after the full limit', () => {
    heartbeat.start()
    vi.advanceTimersByTime(20_000)
    expect(pings).toHaveLength(2)
    expect(pings[0]).toEqual({ type: 'ping', t: expect.any(Number) })
    vi.advanceTimersByTime(4_999)
    expect(dead).toEqual([])
    vi.advanceTimersByTime(1)
    expect(dead).toEqual([25_000])
  })

  it('counts silence from the last frame heard', () => {
    heartbeat.start()
    vi.advanceTimersByTime(20_000)
    heartbeat.heard()
    vi.advanceTimersByTime(24_999)
    expect(dead).toEqual([])
    vi.advanceTimersByTime(1)
    expect(dead).toEqual([25_000])
  })

  it('watches a handshake without pinging, and stop() silences both timers', () => {
    heartbeat.watchHandshake()
    vi.advanceTimersByTime(25_000)
    expect(pings).toEqual([])
    expect(dead).toEqual([25_000])
    heartbeat.start()
    heartbeat.stop()
    vi.advanceTimersByTime(100_000)
    expect(pings).toEqual([])
    expect(dead).toHaveLength(1)
  })
})
