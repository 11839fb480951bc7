import { describe, expect, it } from 'vitest'
import { exportSessionFile, importSessionFile, replayPlan, SESSION_FORMAT } from './session-file'
import type { WsFrame } from './ws-session'

const frames: WsFrame[] = [
  { seq: 1, at: 1000, dir: 'out', opcode: 'text', size: 2, data: 'hi' },
  { seq: 2, at: 1010, dir: 'in', opcode: 'text', size: 2, data: 'hi' },
  { seq: 3, at: 1250, dir: 'out', opcode: 'binary', size: 2, data: '3q0=' },
  { seq: 4, at: 99_000, dir: 'out', opcode: 'text', size: 3, data: 'bye' }
]

describe('session files', () => {
  it('round-trips an exported session', () => {
    const text = exportSessionFile(
      { name: 'echo', url: 'ws://h/', protocols: ['a'], handshake: null, timeline: [], closes: [], frames },
      new Date(0)
    )
    const result = importSessionFile(text)
    expect(result.ok && result.file.frames).toEqual(frames)
    expect(result.ok && result.file.connection).toEqual({ name: 'echo', url: 'ws://h/', protocols: ['a'] })
  })

  it('refuses what it did not write, naming where', () => {
    expect(importSessionFile('{')).toEqual({ ok: false, message: 'That file is not JSON.' })
    const wrong = importSessionFile(JSON.stringify({ format: SESSION_FORMAT, exportedAt: 'x', frames: [] }))
    expect(wrong.ok === false && wrong.message).toMatch(/at connection/)
  })

  it('replays the sent frames in order with their gaps, capped', () => {
    const plan = replayPlan(frames, 1000)
    expect(plan.map((s) => s.delayMs)).toEqual([0, 250, 1000])
    expect(plan[1]?.payload).toEqual({ kind: 'binary', bytes: new Uint8Array([0xde, 0xad]) })
    expect(plan[2]?.payload).toEqual({ kind: 'text', text: 'bye' })
  })
})
