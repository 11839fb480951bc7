import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ClientMessage } from '../../../shared/protocol'
import { systemClock } from './clock'
import type { OutboxItem } from './outbox'
import { OutboxDelivery } from './outbox-delivery'

const room = { kind: 'room', room: 'general' } as const
let open: boolean
let sent: ClientMessage[]
let lists: OutboxItem[][]
let delivery: OutboxDelivery

beforeEach(() => {
  vi.useFakeTimers()
  open = false
  sent = []
  lists = []
  delivery = new OutboxDelivery(systemClock, 30_000, 'c', {
    canSend: () => open,
    send: (message) => (sent.push(message), true),
    changed: (items) => lists.push(items)
  })
})
afterEach(() => {
  delivery.dispose()
  vi.useRealTimers()
})

const statuses = () => lists.at(-1)?.map((item) => item.status)

describe('OutboxDelivery', () => {
  it('queues while it cannot send, sends after the replay, and an echo delivers it', () => {
    const item = delivery.post(room, 'hello')
    expect(sent).toEqual([])
    expect(statuses()).toEqual(['pending'])
    open = true
    delivery.replayDone()
    expect(sent).toEqual([{ type: 'send', room: 'general', text: 'hello', cid: item.cid }])
    delivery.acknowledge(item.cid)
    expect(lists.at(-1)).toEqual([])
  })

  it('sends attached files as their ids, and keeps them on the item for the pending row', () => {
    open = true
    const file = {
      id: 'q2Zt1x0bY8mKc4vR7nW3aA',
      name: 'a.png',
      size: 3,
      type: 'image/png',
      url: '/files/q2Zt1x0bY8mKc4vR7nW3aA'
    }
    const item = delivery.post(room, '', [file])
    expect(sent).toEqual([{ type: 'send', room: 'general', text: '', cid: item.cid, files: [file.id] }])
    expect(lists.at(-1)?.[0]?.files).toEqual([file])
    delivery.post({ kind: 'dm', to: 'u2', toNick: 'bob' }, 'see', [file])
    expect(sent[1]).toMatchObject({ type: 'dm', files: [file.id] })
  })

  it('sends a direct message as dm, and a refusal by the server fails it without retrying', () => {
    open = true
    const item = delivery.post({ kind: 'dm', to: 'u2', toNick: 'bob' }, 'psst')
    expect(sent).toEqual([{ type: 'dm', to: 'u2', text: 'psst', cid: item.cid }])
    delivery.refused(item.cid)
    expect(statuses()).toEqual(['failed'])
    delivery.refused('not-ours')
    expect(lists).toHaveLength(2)
  })

  it('sends an in-flight message again on the next connection, with the same cid', () => {
    open = true
    const item = delivery.post(room, 'lost')
    delivery.connectionLost()
    delivery.replayDone()
    expect(sent.map((m) => 'cid' in m && m.cid)).toEqual([item.cid, item.cid])
  })

  it('marks a sent message failed when no echo comes within the timeout; retry sends it again', () => {
    open = true
    const item = delivery.post(room, 'one')
    vi.advanceTimersByTime(29_999)
    expect(statuses()).toEqual(['pending'])
    vi.advanceTimersByTime(1)
    expect(statuses()).toEqual(['failed'])
    delivery.retry(item.cid)
    expect(statuses()).toEqual(['pending'])
    expect(sent).toHaveLength(2)
    delivery.discard(item.cid)
    expect(lists.at(-1)).toEqual([])
  })
})

describe('OutboxDelivery timing', () => {
  it('never expires a message while it waits for a connection, however long', () => {
    delivery.post(room, 'offline')
    vi.advanceTimersByTime(3_600_000)
    expect(statuses()).toEqual(['pending'])
    open = true
    delivery.replayDone()
    vi.advanceTimersByTime(29_999)
    expect(statuses()).toEqual(['pending'])
    vi.advanceTimersByTime(1)
    expect(statuses()).toEqual(['failed'])
  })

  it('stops the clock of a message in flight when the connection drops, and restarts it on resend', () => {
    open = true
    delivery.post(room, 'in flight')
    vi.advanceTimersByTime(20_000)
    open = false
    delivery.connectionLost()
    vi.advanceTimersByTime(60_000)
    expect(statuses()).toEqual(['pending'])
    open = true
    delivery.replayDone()
    vi.advanceTimersByTime(29_999)
    expect(statuses()).toEqual(['pending'])
    vi.advanceTimersByTime(1)
    expect(statuses()).toEqual(['failed'])
  })
})
