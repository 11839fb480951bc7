import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from './clock'
import { ConnectionEngine, type EngineOptions } from './connection-engine'
import type { CloseRow, EngineEvent } from './engine-events'
import { FakeSocket } from '../../../../test-support/renderer/fake-socket'

const alice = { id: 'u1', nick: 'alice' }
const bob = { id: 'u2', nick: 'bob' }
const welcome = (resumed = false) => ({
  type: 'welcome',
  user: alice,
  session: 'sess-1',
  resumed,
  server: { name: 'test', version: '1', limits: {} },
  rooms: [{ name: 'general', members: 1 }]
})
const chat = (id: number, text: string, from = bob, cid?: string) => ({
  type: 'message',
  room: 'general',
  id,
  from,
  text,
  ts: 1000 + id,
  ...(cid ? { cid } : {})
})

let engine: ConnectionEngine
let events: EngineEvent[]

function start(options: Partial<EngineOptions> = {}): FakeSocket {
  engine = new ConnectionEngine({
    url: 'ws://127.0.0.1:1/ws',
    nick: 'alice',
    WebSocket: FakeSocket,
    clock: systemClock,
    reconnect: { random: () => 0.5 },
    cidPrefix: 'c',
    ...options
  })
  events = []
  engine.subscribe((event) => events.push(event))
  engine.connect()
  return FakeSocket.latest()
}

/** Opens the socket, answers hello with welcome and the replay barrier ping with its pong. */
function admit(socket: FakeSocket, resumed = false, joined: object[] = []): void {
  socket.serverOpens()
  socket.serverSends(welcome(resumed))
  for (const frame of joined) socket.serverSends(frame)
  const barrier = socket.sentMessages().find((m) => m.type === 'ping')
  socket.serverSends({ type: 'pong', t: barrier?.t, serverTime: 0 })
}

const closes = () => events.flatMap((e) => (e.type === 'close' ? [e.row] : []))
const states = () => events.flatMap((e) => (e.type === 'state' ? [e.entry.state] : []))
const lastOutbox = () => events.filter((e) => e.type === 'outbox').at(-1)

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})
afterEach(() => {
  engine.dispose()
  vi.useRealTimers()
})

describe('ConnectionEngine', () => {
  it('says hello with the subprotocol, then is open after welcome', () => {
    const socket = start({ password: 'pw' })
    expect(socket.protocols).toBe('parley.v1')
    socket.serverOpens()
    expect(socket.sentMessages()[0]).toEqual({ type: 'hello', nick: 'alice', password: 'pw' })
    expect(engine.state).toBe('authenticating')
    socket.serverSends(welcome())
    expect(engine.state).toBe('open')
    expect(states()).toEqual(['connecting', 'authenticating', 'open'])
    expect(events.find((e) => e.type === 'handshake')).toMatchObject({ facts: { protocol: 'parley.v1' } })
  })

  it('reconnects after 1006 with the backoff delay and resumes the session from the last ids seen', () => {
    const first = start()
    admit(first, false, [
      { type: 'joined', room: 'general', members: [alice, bob], history: [chat(4, 'hi')] }
    ])
    first.serverSends(chat(7, 'later'))
    first.serverSends({ type: 'dm', id: 3, from: bob, to: alice, text: 'psst', ts: 1 })
    first.serverCloses(1006)

    expect(closes()).toMatchObject([{ code: 1006, by: 'network', name: 'Abnormal Closure', wasClean: false }])
    expect(engine.state).toBe('reconnecting')
    const attempt = events.find((e) => e.type === 'reconnect')
    expect(attempt).toMatchObject({ attempt: { attempt: 1, delayMs: 500, afterCode: 1006 } })

    vi.advanceTimersByTime(499)
    expect(FakeSocket.instances).toHaveLength(1)
    vi.advanceTimersByTime(1)
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    second.serverOpens()
    expect(second.sentMessages()[0]).toEqual({
      type: 'hello',
      nick: 'alice',
      session: 'sess-1',
      resume: { general: 7, '@dm': 3 }
    })
  })

  it("asks for what a resumed hello's reply budget left out: a cut replay and a room with none", () => {
    const first = start()
    admit(first, false, [
      { type: 'joined', room: 'general', members: [alice], history: [chat(4, 'hi')] },
      { type: 'joined', room: 'dev', members: [alice], history: [] }
    ])
    first.serverSends({ ...chat(9, 'dev news'), room: 'dev' })
    first.serverCloses(1006)
    vi.advanceTimersByTime(500)
    const second = FakeSocket.latest()
    // general's replay was cut by bytes (hasMore, short of the count cap); dev's did not fit at all.
    admit(second, true, [
      {
        type: 'joined',
        room: 'general',
        members: [alice],
        history: [chat(40, 'x'), chat(41, 'y')],
        hasMore: true
      },
      { type: 'joined', room: 'dev', members: [alice], history: [], hasMore: true }
    ])
    const asked = second.sentMessages().filter((m) => m.type === 'history')
    expect(asked).toEqual([
      { type: 'history', room: 'general', before: 40, limit: 200 },
      { type: 'history', room: 'dev', limit: 200 }
    ])
    // dev's newest page reaches back past id 9: nothing more to ask.
    second.serverSends({
      type: 'history',
      room: 'dev',
      messages: [9, 10, 11].map((id) => ({ ...chat(id, 'dev'), room: 'dev' })),
      hasMore: true
    })
    expect(second.sentMessages().filter((m) => m.type === 'history')).toHaveLength(2)
  })

  it('does not retry after 4401 or 4409 and reports why', () => {
    for (const code of [4401, 4409]) {
      const socket = start()
      admit(socket)
      socket.serverCloses(code, 'no')
      expect(engine.state).toBe('closed')
      expect(events.at(-1)).toMatchObject({
        type: 'stopped',
        info: { reason: 'ask', close: { code, by: 'server' } }
      })
      vi.advanceTimersByTime(120_000)
      expect(FakeSocket.instances.filter((s) => s !== socket && s.readyState === 0)).toHaveLength(0)
      engine.dispose()
      FakeSocket.instances = []
    }
  })

  it('stops instead of retrying when the very first connection fails (wrong password, unreachable)', () => {
    const socket = start()
    socket.serverOpens()
    socket.serverCloses(4401, 'bad password')
    expect(events.at(-1)).toMatchObject({
      type: 'stopped',
      info: { reason: 'first-connect', close: { code: 4401 } }
    })
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('holds queued messages until the resume replay is in, and does not resend what the replay shows arrived', () => {
    const first = start()
    admit(first, false, [{ type: 'joined', room: 'general', members: [alice], history: [] }])
    const delivered = engine.post({ kind: 'room', room: 'general' }, 'made it')
    const lost = engine.post({ kind: 'room', room: 'general' }, 'lost')
    expect(first.sentMessages().filter((m) => m.type === 'send')).toHaveLength(2)
    first.serverCloses(1006)
    const queued = engine.post({ kind: 'room', room: 'general' }, 'typed offline')
    expect(lastOutbox()).toMatchObject({
      items: [{ text: 'made it' }, { text: 'lost' }, { text: 'typed offline' }]
    })

    vi.advanceTimersByTime(1000)
    const second = FakeSocket.latest()
    second.serverOpens()
    second.serverSends(welcome(true))
    second.serverSends({
      type: 'joined',
      room: 'general',
      members: [alice],
      history: [chat(10, 'made it', alice, delivered.cid)]
    })
    expect(second.sentMessages().filter((m) => m.type === 'send')).toHaveLength(0)
    const barrier = second.sentMessages().find((m) => m.type === 'ping')
    second.serverSends({ type: 'pong', t: barrier?.t, serverTime: 0 })
    expect(second.sentMessages().filter((m) => m.type === 'send')).toEqual([
      { type: 'send', room: 'general', text: 'lost', cid: lost.cid },
      { type: 'send', room: 'general', text: 'typed offline', cid: queued.cid }
    ])
  })

  it('marks a message pending, then delivered on its cid echo, and failed after 30 s without one', () => {
    // Heartbeat slowed so the silent fake server is not declared dead while the ack times out.
    const socket = start({ pingIntervalMs: 60_000, deadAfterMs: 120_000 })
    admit(socket)
    const ok = engine.post({ kind: 'room', room: 'general' }, 'one')
    const never = engine.post({ kind: 'dm', to: 'u2', toNick: 'bob' }, 'two')
    expect(lastOutbox()).toMatchObject({
      items: [
        { cid: ok.cid, status: 'pending' },
        { cid: never.cid, status: 'pending' }
      ]
    })
    socket.serverSends(chat(1, 'one', alice, ok.cid))
    expect(lastOutbox()).toMatchObject({ items: [{ cid: never.cid, status: 'pending' }] })
    vi.advanceTimersByTime(29_999)
    expect(lastOutbox()).toMatchObject({ items: [{ status: 'pending' }] })
    vi.advanceTimersByTime(1)
    expect(lastOutbox()).toMatchObject({ items: [{ cid: never.cid, status: 'failed' }] })

    engine.retry(never.cid)
    expect(lastOutbox()).toMatchObject({ items: [{ cid: never.cid, status: 'pending' }] })
    expect(socket.sentMessages().filter((m) => m.cid === never.cid)).toHaveLength(2)
    socket.serverSends({ type: 'dm', id: 1, from: alice, to: bob, text: 'two', ts: 1, cid: never.cid })
    expect(lastOutbox()).toMatchObject({ items: [] })
  })

  it('pings every 10 s, records the round trip, and gives up on a silent server within 25 s', () => {
    const socket = start()
    admit(socket)
    const pings = () => socket.sentMessages().filter((m) => m.type === 'ping')
    const barrierPings = pings().length
    vi.advanceTimersByTime(10_000)
    expect(pings()).toHaveLength(barrierPings + 1)
    vi.advanceTimersByTime(40)
    socket.serverSends({ type: 'pong', t: pings().at(-1)?.t, serverTime: 0 })
    expect(events.filter((e) => e.type === 'rtt').at(-1)).toMatchObject({ sample: { ms: 40 } })

    // From here the server says nothing at all, and TCP does not report the loss either.
    const silentSince = Date.now()
    vi.advanceTimersByTime(24_999)
    expect(closes()).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(Date.now() - silentSince).toBeLessThanOrEqual(25_000)
    expect(closes()).toMatchObject([
      { code: 1006, by: 'network', reason: expect.stringContaining('No frame') }
    ])
    expect(socket.closedWith?.code).toBe(4000)
    expect(engine.state).toBe('reconnecting')
  })

  it('keeps the frame log at its cap', () => {
    const socket = start({ frameCapacity: 100 })
    admit(socket)
    for (let id = 1; id <= 250; id++) socket.serverSends(chat(id, `m${id}`))
    const frames = engine.frames.toArray()
    expect(frames).toHaveLength(100)
    expect(frames.at(-1)).toMatchObject({
      dir: 'in',
      type: 'message',
      data: expect.stringContaining('"m250"')
    })
  })

  it('explains a close the browser would refuse, and closes on a valid code without retrying', () => {
    const socket = start()
    admit(socket)
    expect(engine.closeWithCode(1006, '')).toMatch(/1000 or a code from 3000 to 4999/)
    expect(engine.closeWithCode(4000, 'x'.repeat(124))).toMatch(/124 bytes/)
    expect(engine.closeWithCode(4321, 'testing')).toBeNull()
    expect(socket.closedWith).toEqual({ code: 4321, reason: 'testing' })
    socket.serverCloses(4321, 'testing')
    const row: CloseRow | undefined = closes()[0]
    expect(row).toMatchObject({ code: 4321, by: 'client' })
    expect(engine.state).toBe('idle')
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('waits while offline and reconnects as soon as the network returns', () => {
    let online = true
    let notify: (online: boolean) => void = () => undefined
    const socket = start({
      network: {
        online: () => online,
        subscribe: (listener) => {
          notify = listener
          return () => undefined
        }
      }
    })
    admit(socket)
    online = false
    socket.serverCloses(1006)
    expect(engine.state).toBe('offline')
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.instances).toHaveLength(1)
    online = true
    notify(true)
    expect(FakeSocket.instances).toHaveLength(2)
  })
})

describe('ConnectionEngine pacing', () => {
  it('paces a pasted burst under the server limits from welcome instead of tripping 4429', () => {
    const socket = start({ pingIntervalMs: 60_000, deadAfterMs: 120_000 })
    admit(socket)
    for (let i = 0; i < 40; i++) engine.post({ kind: 'room', room: 'general' }, `line ${i}`)
    // hello + barrier ping + sends: the first 27 frames (90% of a burst of 30) go at once.
    expect(socket.sent).toHaveLength(27)
    expect(lastOutbox()).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ status: 'pending' })])
    })
    vi.advanceTimersByTime(2000)
    const sends = socket.sentMessages().filter((m) => m.type === 'send')
    expect(sends.map((m) => m.text)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`))
  })
})

describe('ConnectionEngine session from an earlier page load', () => {
  it('offers the stored token in the first hello, without a resume map', () => {
    const socket = start({ session: 'from-last-load' })
    socket.serverOpens()
    expect(socket.sentMessages()[0]).toEqual({ type: 'hello', nick: 'alice', session: 'from-last-load' })
  })
})

describe('ConnectionEngine handshake timeout', () => {
  it('gives up on a handshake that never answers within 25 s instead of waiting on the browser', () => {
    const socket = start()
    vi.advanceTimersByTime(24_999)
    expect(closes()).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(closes()).toMatchObject([
      { code: 1006, connectedMs: 0, reason: expect.stringContaining('handshake') }
    ])
    expect(events.at(-1)).toMatchObject({ type: 'stopped', info: { reason: 'first-connect' } })
    expect(socket.closedWith?.code).toBe(4000)
  })

  it('reports a URL the browser refuses to open as a stop, not a crash', () => {
    class Refusing extends FakeSocket {
      constructor(url: string) {
        super(url)
        throw new SyntaxError('The URL is invalid.')
      }
    }
    start({ WebSocket: Refusing })
    expect(closes()).toMatchObject([{ code: 1006, reason: expect.stringContaining('The URL is invalid.') }])
    expect(engine.state).toBe('idle')
  })
})

describe('ConnectionEngine delivery across a long outage', () => {
  it('keeps a message typed offline pending through ten minutes of failed attempts, then sends it once after the barrier', () => {
    const first = start()
    admit(first, false, [{ type: 'joined', room: 'general', members: [alice], history: [] }])
    const inFlight = engine.post({ kind: 'room', room: 'general' }, 'sent as the link died')
    first.serverCloses(1006)
    const offline = engine.post({ kind: 'room', room: 'general' }, 'typed offline')

    // Every attempt for ten minutes is refused before it opens, as with a stopped server.
    const outageEnds = Date.now() + 600_000
    while (Date.now() < outageEnds) {
      vi.advanceTimersByTime(1000)
      const latest = FakeSocket.latest()
      if (latest !== first && latest.readyState === 0) latest.serverCloses(1006)
    }
    const failedEver = events.some((e) => e.type === 'outbox' && e.items.some((i) => i.status === 'failed'))
    expect(failedEver).toBe(false)
    expect(FakeSocket.instances.length).toBeGreaterThan(20)

    vi.advanceTimersByTime(30_000)
    const back = FakeSocket.latest()
    expect(back.readyState).toBe(0)
    admit(back, true, [{ type: 'joined', room: 'general', members: [alice], history: [] }])
    const sends = back.sentMessages().filter((m) => m.type === 'send')
    expect(sends.map((m) => m.cid)).toEqual([inFlight.cid, offline.cid])

    // Only now has the server had a chance: one echo delivers, the other fails after the full timeout.
    back.serverSends(chat(1, 'typed offline', alice, offline.cid))
    vi.advanceTimersByTime(9_000)
    back.serverSends({ type: 'pong', t: 0, serverTime: 0 })
    vi.advanceTimersByTime(9_000)
    back.serverSends({ type: 'pong', t: 0, serverTime: 0 })
    vi.advanceTimersByTime(9_000)
    back.serverSends({ type: 'pong', t: 0, serverTime: 0 })
    expect(lastOutbox()).toMatchObject({ items: [{ cid: inFlight.cid, status: 'pending' }] })
    vi.advanceTimersByTime(3_000)
    expect(lastOutbox()).toMatchObject({ items: [{ cid: inFlight.cid, status: 'failed' }] })
    expect(FakeSocket.instances.filter((s) => s.sent.some((d) => d.includes(offline.cid)))).toHaveLength(1)
  })
})
