import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeSocket } from '../../../../test-support/renderer/fake-socket'
import { systemClock } from './clock'
import type { CloseRow, EngineEvent } from './engine-events'
import { SocketLifecycle } from './socket-lifecycle'

let events: EngineEvent[]
let steps: string[]
let lifecycle: SocketLifecycle

function start(): FakeSocket {
  lifecycle = new SocketLifecycle(
    {
      url: 'ws://127.0.0.1:1/ws',
      WebSocket: FakeSocket,
      clock: systemClock,
      reconnect: { random: () => 0.5 }
    },
    {
      opening: () => steps.push('opening'),
      opened: () => steps.push('opened'),
      frame: (data) => steps.push(`frame ${String(data)}`),
      closed: (row: CloseRow) => steps.push(`closed ${row.code} ${row.by}`),
      emit: (event) => events.push(event)
    }
  )
  lifecycle.connect()
  return FakeSocket.latest()
}

const states = () => events.flatMap((e) => (e.type === 'state' ? [e.entry.state] : []))

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
  events = []
  steps = []
})
afterEach(() => {
  lifecycle.dispose()
  vi.useRealTimers()
})

describe('SocketLifecycle', () => {
  it('opens with the subprotocol and passes open, frames and close to its hooks', () => {
    const socket = start()
    expect(socket.protocols).toBe('parley.v1')
    socket.serverOpens()
    expect(lifecycle.isOpen).toBe(true)
    socket.serverSends({ type: 'pong', t: 1, serverTime: 0 })
    socket.serverCloses(4000, 'bye')
    expect(steps).toEqual([
      'opening',
      'opened',
      'frame {"type":"pong","t":1,"serverTime":0}',
      'closed 4000 server'
    ])
    // Never welcomed: a first connection that fails is the person's to retry.
    expect(events.at(-1)).toMatchObject({ type: 'stopped', info: { reason: 'first-connect' } })
  })

  it('after a welcome, reconnects with backoff and ignores the old socket', () => {
    const first = start()
    first.serverOpens()
    lifecycle.welcomed()
    first.serverCloses(1006)
    expect(lifecycle.state).toBe('reconnecting')
    const attempt = events.find((e) => e.type === 'reconnect')
    expect(attempt).toMatchObject({ attempt: { attempt: 1, afterCode: 1006 } })
    vi.advanceTimersByTime(attempt?.type === 'reconnect' ? attempt.attempt.delayMs : 0)
    expect(FakeSocket.instances).toHaveLength(2)
    first.onmessage?.({ data: 'stale' })
    expect(steps.filter((s) => s.startsWith('frame'))).toEqual([])
  })

  it('abandons a silent socket as a network close and closes on request without retrying', () => {
    const socket = start()
    socket.serverOpens()
    lifecycle.welcomed()
    lifecycle.abandon('silent')
    expect(socket.closedWith?.code).toBe(4000)
    expect(steps.at(-1)).toBe('closed 1006 network')
    vi.advanceTimersByTime(60_000)
    const second = FakeSocket.latest()
    second.serverOpens()
    lifecycle.disconnect('Bye')
    second.serverCloses(1000, 'Bye')
    expect(states().slice(-2)).toEqual(['closing', 'idle'])
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.instances).toHaveLength(2)
  })
})
