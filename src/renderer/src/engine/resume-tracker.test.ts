import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS, type ChatMessage, type ClientMessage } from '../../../shared/protocol'
import { ResumeTracker } from './resume-tracker'

const bob = { id: 'u2', nick: 'bob' }
const msg = (id: number): ChatMessage => ({ room: 'general', id, from: bob, text: `m${id}`, ts: id })
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i))

function tracker() {
  const sent: ClientMessage[] = []
  return { sent, resume: new ResumeTracker((m) => (sent.push(m), true)) }
}

describe('ResumeTracker', () => {
  it('keeps the highest id per room and for direct messages as the resume map', () => {
    const { resume } = tracker()
    resume.joined({ type: 'joined', room: 'general', members: [], history: [msg(3), msg(5)] })
    resume.noteRoomMessage('general', 4)
    resume.noteDirectMessage(9)
    expect(resume.points()).toEqual({ general: 5, '@dm': 9 })
    resume.left('general')
    expect(resume.points()).toEqual({ '@dm': 9 })
  })

  it('holds the replay barrier until the pong to its own ping, then joins rooms a fresh session forgot', () => {
    const { resume, sent } = tracker()
    resume.joined({ type: 'joined', room: 'general', members: [], history: [] })
    resume.joined({ type: 'joined', room: 'dev', members: [], history: [] })
    const ping = resume.welcomed(false, 1234)
    expect(ping).toEqual({ type: 'ping', t: 1234 })
    expect(resume.replaying).toBe(true)
    resume.joined({ type: 'joined', room: 'general', members: [], history: [] })
    expect(resume.pong(1000)).toBe(false)
    expect(resume.pong(1234)).toBe(true)
    expect(resume.replaying).toBe(false)
    expect(sent).toEqual([{ type: 'join', room: 'dev' }])
  })

  it('rejoins nothing after a resumed welcome, and a lost connection drops the barrier', () => {
    const { resume, sent } = tracker()
    resume.joined({ type: 'joined', room: 'general', members: [], history: [] })
    resume.welcomed(true, 1)
    resume.connectionLost()
    expect(resume.replaying).toBe(false)
    resume.welcomed(true, 2)
    expect(resume.pong(2)).toBe(true)
    expect(sent).toEqual([])
  })

  it('pages back after a non-resumed join until the history meets the last id seen', () => {
    const { resume, sent } = tracker()
    resume.joined({ type: 'joined', room: 'general', members: [], history: [msg(10)] })
    resume.welcomed(false, 1)
    resume.joined({ type: 'joined', room: 'general', members: [], history: range(60, 80), hasMore: true })
    const page = { type: 'history', room: 'general', before: 60, limit: DEFAULT_LIMITS.historyPageMax }
    expect(sent).toEqual([page])
    resume.history({ type: 'history', room: 'general', messages: range(30, 59), hasMore: true })
    expect(sent.at(-1)).toEqual({ ...page, before: 30 })
    resume.history({ type: 'history', room: 'general', messages: range(8, 29), hasMore: true })
    expect(sent).toHaveLength(2)
  })
})
