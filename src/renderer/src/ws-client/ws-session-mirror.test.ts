import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../engine/clock'
import { connectionView, newSavedConnection, type WsConnectionView } from './ws-connection-view'
import { mirrorSession } from './ws-session-mirror'
import { WsSession, type BinaryWebSocketFactory, type WsFrame } from './ws-session'

const frame = (seq: number): WsFrame => ({ seq, at: seq, dir: 'out', opcode: 'text', size: 1, data: 'x' })

function mirrored() {
  // Never opened here: the frames come from loadFrames, as an import's do.
  const session = new WsSession({
    url: 'ws://127.0.0.1:1/',
    protocols: [],
    WebSocket: {} as BinaryWebSocketFactory
  })
  let view: WsConnectionView = connectionView(newSavedConnection({}, 1))
  const stop = mirrorSession(session, (change) => (view = { ...view, ...change(view) }), systemClock)
  return { session, stop, view: () => view }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('mirrorSession', () => {
  it('repaints a burst of frames once, after 50 ms', () => {
    const { session, view } = mirrored()
    session.loadFrames([frame(1)])
    session.loadFrames([frame(2)])
    session.clearFrames()
    vi.advanceTimersByTime(49)
    expect(view().framesVersion).toBe(0)
    vi.advanceTimersByTime(1)
    expect(view().framesVersion).toBe(1)
    session.loadFrames([frame(3)])
    vi.advanceTimersByTime(50)
    expect(view().framesVersion).toBe(2)
  })

  it('stops mirroring, pending repaint included, when told to', () => {
    const { session, stop, view } = mirrored()
    session.loadFrames([frame(1)])
    stop()
    vi.advanceTimersByTime(100)
    session.loadFrames([frame(2)])
    vi.advanceTimersByTime(100)
    expect(view().framesVersion).toBe(0)
  })
})
