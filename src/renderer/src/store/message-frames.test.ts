import { describe, expect, it } from 'vitest'
import type { FrameRecord } from '../engine/engine-events'
import { frameRoleFor, messageOfFrame } from './message-frames'

let seq = 0
function frame(dir: 'in' | 'out', message: Record<string, unknown>): FrameRecord {
  const data = JSON.stringify(message)
  return { seq: ++seq, at: seq, dir, size: data.length, type: String(message.type), data }
}

const alice = { id: 'u1', nick: 'alice' }
const bob = { id: 'u2', nick: 'bob' }

describe('frames of a message', () => {
  const ref = { channel: 'general', id: 42, cid: 'c-7' }

  it('finds the send, the echo, an error about it and the replays that carried it', () => {
    const frames = [
      frame('out', { type: 'send', room: 'general', text: 'hi', cid: 'c-7' }),
      frame('out', { type: 'send', room: 'general', text: 'other', cid: 'c-8' }),
      frame('in', { type: 'message', room: 'general', id: 42, from: alice, text: 'hi', ts: 1, cid: 'c-7' }),
      frame('in', {
        type: 'message',
        room: 'random',
        id: 42,
        from: alice,
        text: 'same id, other room',
        ts: 1
      }),
      frame('in', { type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c-7' }),
      frame('in', { type: 'history', room: 'general', messages: [{ id: 41 }, { id: 42 }] }),
      frame('in', { type: 'pong', t: 42, serverTime: 42 })
    ]
    expect(frames.map((f) => frameRoleFor(f, ref))).toEqual([
      'send',
      null,
      'echo',
      null,
      'error',
      'replay',
      null
    ])
  })

  it('matches direct messages by id in a DM channel', () => {
    const dmRef = { channel: '@u2', id: 5, cid: 'c-1' }
    expect(frameRoleFor(frame('out', { type: 'dm', to: 'u2', text: 'yo', cid: 'c-1' }), dmRef)).toBe('send')
    expect(
      frameRoleFor(frame('in', { type: 'dm', id: 5, from: alice, to: bob, text: 'yo', ts: 1 }), dmRef)
    ).toBe('echo')
  })

  it('links a single frame back to its message and channel', () => {
    expect(
      messageOfFrame(frame('out', { type: 'send', room: 'general', text: 'x', cid: 'c-9' }), 'u1')
    ).toEqual({
      channel: 'general',
      id: undefined,
      cid: 'c-9'
    })
    expect(
      messageOfFrame(frame('in', { type: 'dm', id: 3, from: alice, to: bob, text: 'x', ts: 1 }), 'u1')
    ).toEqual({ channel: '@u2', id: 3, cid: undefined })
    expect(messageOfFrame(frame('in', { type: 'pong', t: 1, serverTime: 1 }), 'u1')).toBeNull()
  })
})
