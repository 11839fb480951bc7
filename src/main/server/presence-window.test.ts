import { describe, expect, it } from 'vitest'
import type { ServerMessage, User } from '../../shared/protocol'
import { createPresenceBatcher, presenceDelayMs, PRESENCE_MAX_DELAY_MS } from './presence-batcher'

const user = (n: number): User => ({ id: `u_${n}`, nick: `n${n}` })
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function recorder() {
  const sent: { room: string; message: ServerMessage; at: number }[] = []
  const batcher = createPresenceBatcher<string>((room, message) =>
    sent.push({ room, message, at: performance.now() })
  )
  return { sent, batcher }
}

describe('presence window sized by the room', () => {
  it('is the next turn for small rooms and grows with members up to its cap', () => {
    expect(presenceDelayMs(1)).toBe(0)
    expect(presenceDelayMs(39)).toBe(0)
    expect(presenceDelayMs(400)).toBe(10)
    expect(presenceDelayMs(4000)).toBe(100)
    expect(presenceDelayMs(1_000_000)).toBe(PRESENCE_MAX_DELAY_MS)
  })

  it('sends a small room on the next turn, one event as a plain presence', async () => {
    const { sent, batcher } = recorder()
    batcher.queue('small', 'join', user(1), 5)
    expect(sent).toEqual([])
    await nextTurn()
    expect(sent.map((s) => s.message.type)).toEqual(['presence'])
  })

  it('collects a large room over its window, across turns, into one batch in order', async () => {
    const { sent, batcher } = recorder()
    const start = performance.now()
    batcher.queue('big', 'join', user(1), 4000)
    await nextTurn()
    batcher.queue('big', 'join', user(2), 4001)
    await nextTurn()
    batcher.queue('big', 'leave', user(1), 4002)
    batcher.queue('small', 'join', user(3), 3)
    await nextTurn()
    // The small room did not wait for the big one.
    expect(sent.map((s) => s.room)).toEqual(['small'])
    await sleep(150)
    expect(sent.map((s) => s.room)).toEqual(['small', 'big'])
    const big = sent[1]!
    expect(big.at - start).toBeGreaterThanOrEqual(95)
    expect(big.message).toEqual({
      type: 'presence_batch',
      room: 'big',
      events: [
        { event: 'join', user: user(1) },
        { event: 'join', user: user(2) },
        { event: 'leave', user: user(1) }
      ]
    })
    batcher.dispose()
  })

  it('flush(room) sends that room at once (a message is about to go), others keep waiting', async () => {
    const { sent, batcher } = recorder()
    batcher.queue('a', 'join', user(1), 8000)
    batcher.queue('b', 'join', user(2), 8000)
    batcher.flush('a')
    expect(sent.map((s) => s.room)).toEqual(['a'])
    await sleep(20)
    expect(sent.map((s) => s.room)).toEqual(['a'])
    batcher.flush()
    expect(sent.map((s) => s.room)).toEqual(['a', 'b'])
    await sleep(PRESENCE_MAX_DELAY_MS + 20)
    expect(sent).toHaveLength(2)
  })

  it('dispose drops what is queued and leaves no timer behind', async () => {
    const { sent, batcher } = recorder()
    batcher.queue('big', 'join', user(1), 4000)
    batcher.dispose()
    await sleep(120)
    expect(sent).toEqual([])
  })
})
