import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../shared/close-codes'
import { DEFAULT_LIMITS, SUBPROTOCOL } from '../../shared/protocol'
import { createChatServer } from './chat-server'
import type { ServerStats } from './index'
import { clientFrame, closeCodeOf, Opcode, rawWebSocket } from '../../../test-support/server/raw-socket'
import {
  connect,
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const clients: TestClient[] = []

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  server = await startTestServer(options)
  return server
}

async function join(nick: string, extra: Record<string, unknown> = {}) {
  const joined = await joinAs(server.url, nick, extra)
  clients.push(joined.client)
  return joined
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await server?.stop()
})

describe('hello and welcome', () => {
  it('welcomes with a user, a session token, limits and rooms, then joins general with its members', async () => {
    await start()
    const client = await connect(server.url, SUBPROTOCOL)
    clients.push(client)
    expect(client.ws.protocol).toBe(SUBPROTOCOL)
    client.send({ type: 'hello', nick: 'ann', someFutureField: 1 })
    const welcome = await client.next('welcome')
    expect(welcome.user.nick).toBe('ann')
    expect(welcome.user.id).toMatch(/^u_/)
    expect(welcome.session.length).toBeGreaterThan(20)
    expect(welcome.resumed).toBeUndefined()
    expect(welcome.server).toMatchObject({ name: 'test', limits: { ...DEFAULT_LIMITS } })
    expect(welcome.rooms).toEqual([{ name: 'general', members: 1 }])
    const joined = await client.next('joined')
    expect(joined).toEqual({
      type: 'joined',
      room: 'general',
      // The room's change number: nothing edited, deleted or reacted to yet.
      rev: 0,
      members: [welcome.user],
      memberCount: 1,
      history: []
    })
  })

  it('serves a client that offers no subprotocol as v1', async () => {
    await start()
    const client = await connect(`ws://127.0.0.1:${server.port}`)
    clients.push(client)
    expect(client.ws.protocol).toBe('')
    client.send({ type: 'ping', t: 5 })
    // Not a hello: proves the socket at / speaks the protocol (4400), not some other endpoint.
    expect((await client.closed).code).toBe(4400)
  })
})

describe('rooms, presence and messages', () => {
  it('broadcasts presence joins and leaves to the other members', async () => {
    await start()
    const ann = await join('ann')
    const bob = await join('bob')
    const presence = await ann.client.next('presence')
    expect(presence).toEqual({ type: 'presence', room: 'general', event: 'join', user: bob.welcome.user })

    bob.client.send({ type: 'join', room: 'dev' })
    const joinedDev = await bob.client.next('joined')
    expect(joinedDev).toMatchObject({ room: 'dev', members: [bob.welcome.user], history: [] })
    ann.client.send({ type: 'join', room: 'dev' })
    const annDev = await ann.client.next('joined')
    expect(annDev.members.map((m) => m.nick).sort()).toEqual(['ann', 'bob'])
    expect(await bob.client.next('presence')).toMatchObject({
      room: 'dev',
      event: 'join',
      user: ann.welcome.user
    })

    ann.client.send({ type: 'leave', room: 'dev' })
    expect(await ann.client.next('left')).toEqual({ type: 'left', room: 'dev' })
    expect(await bob.client.next('presence')).toMatchObject({
      room: 'dev',
      event: 'leave',
      user: ann.welcome.user
    })

    await bob.client.close()
    expect(await ann.client.next('presence')).toMatchObject({
      room: 'general',
      event: 'leave',
      user: bob.welcome.user
    })
  })

  it('caps the number of rooms: joining an existing one still works', async () => {
    await start({ maxRooms: 2 })
    const ann = await join('ann')
    ann.client.send({ type: 'join', room: 'one' })
    await ann.client.next('joined')
    ann.client.send({ type: 'join', room: 'two' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_room', ref: 'join' })
    ann.client.send({ type: 'leave', room: 'one' })
    await ann.client.next('left')
    ann.client.send({ type: 'join', room: 'one' })
    expect((await ann.client.next('joined')).room).toBe('one')
  })

  it('lists rooms with member counts', async () => {
    await start()
    const ann = await join('ann')
    ann.client.send({ type: 'join', room: 'ops' })
    await ann.client.next('joined')
    ann.client.send({ type: 'rooms' })
    expect((await ann.client.next('rooms')).rooms).toEqual([
      { name: 'general', members: 1 },
      { name: 'ops', members: 1 }
    ])
  })

  it('delivers a message to every member; only the sender copy carries the cid', async () => {
    await start()
    const ann = await join('ann')
    const bob = await join('bob')
    ann.client.send({ type: 'send', room: 'general', text: 'hello', cid: 'c-1' })
    const own = await ann.client.next('message')
    const other = await bob.client.next('message')
    expect(own).toMatchObject({ room: 'general', id: 1, from: ann.welcome.user, text: 'hello', cid: 'c-1' })
    expect(other.cid).toBeUndefined()
    expect({ ...other, cid: 'c-1' }).toEqual(own)
    expect(typeof own.ts).toBe('number')
  })

  it('gives three clients the same id order under concurrent sends', async () => {
    await start()
    const members = [await join('a'), await join('b'), await join('c')]
    const perClient = 20
    members.forEach(({ client }, n) => {
      for (let i = 0; i < perClient; i++) client.send({ type: 'send', room: 'general', text: `${n}:${i}` })
    })
    const total = perClient * members.length
    const seen = await Promise.all(
      members.map(async ({ client }) => {
        const got = []
        for (let i = 0; i < total; i++) got.push(await client.next('message'))
        return got.map((m) => `${m.id}/${m.text}`)
      })
    )
    expect(seen[1]).toEqual(seen[0])
    expect(seen[2]).toEqual(seen[0])
    expect(seen[0]!.map((entry) => Number(entry.split('/')[0]))).toEqual(
      Array.from({ length: total }, (_, i) => i + 1)
    )
  })

  it('relays typing to the others only', async () => {
    await start()
    const ann = await join('ann')
    const bob = await join('bob')
    ann.client.send({ type: 'typing', room: 'general' })
    expect(await bob.client.next('typing')).toEqual({
      type: 'typing',
      room: 'general',
      user: ann.welcome.user
    })
    ann.client.send({ type: 'ping', t: 1 })
    await ann.client.next('pong')
    expect(ann.client.queued('typing')).toEqual([])
  })

  it('answers ping with pong and the server time', async () => {
    await start()
    const ann = await join('ann')
    const before = Date.now()
    ann.client.send({ type: 'ping', t: 42.5 })
    const pong = await ann.client.next('pong')
    expect(pong.t).toBe(42.5)
    expect(pong.serverTime).toBeGreaterThanOrEqual(before)
  })
})

describe('history', () => {
  it('joined holds the last 50; history pages back with hasMore', async () => {
    await start({ limits: { rateBurst: 1000 } })
    const ann = await join('ann')
    for (let i = 1; i <= 120; i++) ann.client.send({ type: 'send', room: 'general', text: `m${i}` })
    for (let i = 1; i <= 120; i++) await ann.client.next('message')
    const bob = await join('bob')
    const joined = bob.client.log.find((m) => m.type === 'joined')
    if (joined?.type !== 'joined') throw new Error('no joined')
    expect(joined.history.map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i))
    expect(joined.hasMore).toBe(true)

    bob.client.send({ type: 'history', room: 'general', before: 71, limit: 60 })
    const page = await bob.client.next('history')
    expect(page.messages.map((m) => m.id)).toEqual(Array.from({ length: 60 }, (_, i) => 11 + i))
    expect(page.hasMore).toBe(true)
    bob.client.send({ type: 'history', room: 'general', before: 11, limit: 60 })
    const last = await bob.client.next('history')
    expect(last.messages.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i))
    expect(last.hasMore).toBeUndefined()
  })

  it('caps history.limit at historyPageMax', async () => {
    await start({ limits: { historyPageMax: 3 } })
    const ann = await join('ann')
    for (let i = 0; i < 5; i++) ann.client.send({ type: 'send', room: 'general', text: `m${i}` })
    for (let i = 0; i < 5; i++) await ann.client.next('message')
    ann.client.send({ type: 'history', room: 'general', limit: 100 })
    expect((await ann.client.next('history')).messages.map((m) => m.id)).toEqual([3, 4, 5])
  })
})

describe('direct messages', () => {
  it('sends a dm to both parties; no_such_user for an unknown id', async () => {
    await start()
    const ann = await join('ann')
    const bob = await join('bob')
    ann.client.send({ type: 'dm', to: bob.welcome.user.id, text: 'psst', cid: 'd1' })
    const own = await ann.client.next('dm')
    const theirs = await bob.client.next('dm')
    expect(own).toMatchObject({
      id: 1,
      from: ann.welcome.user,
      to: bob.welcome.user,
      text: 'psst',
      cid: 'd1'
    })
    expect({ ...theirs, cid: 'd1' }).toEqual(own)

    ann.client.send({ type: 'dm', to: 'u_nobody', text: 'hi', cid: 'd2' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'no_such_user', ref: 'd2' })
  })
})

describe('recoverable errors keep the connection', () => {
  it.each([
    ['not JSON', '{nope', 'bad_json'],
    ['a JSON array', '[1,2]', 'invalid_message'],
    ['no type', '{"room":"general"}', 'invalid_message'],
    ['an unknown type', '{"type":"shout"}', 'unknown_type'],
    ['wrong field types', '{"type":"send","room":"general","text":5}', 'invalid_message'],
    ['a bad room name', '{"type":"join","room":"No Spaces"}', 'invalid_room'],
    ['a send to a room not joined', '{"type":"send","room":"elsewhere","text":"x","cid":"k"}', 'not_in_room'],
    ['a second hello', '{"type":"hello","nick":"again"}', 'invalid_message']
  ])('%s: %s → %s', async (_label, frame, code) => {
    await start()
    const ann = await join('ann')
    ann.client.send(frame)
    const error = await ann.client.next('error')
    expect(error.code).toBe(code)
    expect(error.message.length).toBeGreaterThan(5)
    ann.client.send({ type: 'ping', t: 1 })
    await ann.client.next('pong')
  })

  it('text_too_long carries the cid as ref', async () => {
    await start({ limits: { maxTextLength: 10 } })
    const ann = await join('ann')
    ann.client.send({ type: 'send', room: 'general', text: 'x'.repeat(11), cid: 'long' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'text_too_long', ref: 'long' })
  })
})

describe('HTTP beside the socket', () => {
  it('healthz, stats, 426 on /ws, 404 elsewhere', async () => {
    await start()
    await join('ann')
    expect(await (await fetch(`${server.httpUrl}/healthz`)).json()).toEqual({ ok: true })
    const stats = (await (await fetch(`${server.httpUrl}/api/stats`)).json()) as ServerStats
    expect(stats).toMatchObject({ connections: 1, users: 1, onlineUsers: 1, messagesStored: 0 })
    expect(stats.rooms).toEqual([{ name: 'general', members: 1 }])
    expect(stats).toEqual(JSON.parse(JSON.stringify({ ...server.server.stats(), uptimeMs: stats.uptimeMs })))
    const upgrade = await fetch(`${server.httpUrl}/ws`)
    expect(upgrade.status).toBe(426)
    expect(upgrade.headers.get('upgrade')).toBe('websocket')
    await upgrade.text()
    const missing = await fetch(`${server.httpUrl}/nope`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ error: 'not_found' })
  })

  it('admin API posts as the server into a room and DMs a user; 401 without the token; 404 for no such user', async () => {
    const token = 'secret-admin-token'
    await start({ adminToken: token })
    const ann = await join('ann')
    const post = (path: string, body: unknown, auth = `Bearer ${token}`) =>
      fetch(`${server.httpUrl}${path}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body)
      })

    const denied = await post('/api/rooms/general/messages', { text: 'x' }, 'Bearer wrong')
    expect(denied.status).toBe(401)
    await denied.text()

    const posted = await post('/api/rooms/general/messages', { text: 'maintenance at 5' })
    expect(posted.status).toBe(201)
    const body = await posted.json()
    const received = await ann.client.next('message')
    expect(received).toEqual(body)
    expect(received.from).toEqual({ id: 'server', nick: 'test' })

    const dm = await post(`/api/users/${ann.welcome.user.id}/messages`, { text: 'just you' })
    expect(dm.status).toBe(201)
    await dm.text()
    expect(await ann.client.next('dm')).toMatchObject({
      from: { id: 'server' },
      to: ann.welcome.user,
      text: 'just you'
    })

    const nobody = await post('/api/users/u_nobody/messages', { text: 'x' })
    expect(nobody.status).toBe(404)
    expect(await nobody.json()).toMatchObject({ error: 'no_such_user' })

    const badRoom = await post('/api/rooms/Not%20A%20Room/messages', { text: 'x' })
    expect(badRoom.status).toBe(400)
    expect(await badRoom.json()).toMatchObject({ error: 'invalid_room' })
    const empty = await post('/api/rooms/general/messages', { text: '' })
    expect(await empty.json()).toMatchObject({ error: 'invalid_text' })
    const notJson = await post('/api/rooms/general/messages', 'not json')
    expect(notJson.status).toBe(400)
    await notJson.text()
  })

  it('answers an admin body over 64 KiB with the 413 it documents, not a hang-up', async () => {
    const token = 'secret-admin-token'
    await start({ adminToken: token })
    // 100 KB and 4 MB: the larger is still arriving when the server has made up its mind.
    for (const size of [100_000, 4_000_000]) {
      const response = await fetch(`${server.httpUrl}/api/rooms/general/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'x'.repeat(size) })
      })
      expect(response.status).toBe(413)
      expect(await response.json()).toMatchObject({ error: 'too_large' })
    }
    // And the server still takes a body of the right size afterwards.
    const fine = await fetch(`${server.httpUrl}/api/rooms/general/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'fits' })
    })
    expect(fine.status).toBe(201)
    await fine.text()
  })

  it('answers 401 on the admin API when no token is configured', async () => {
    await start()
    const response = await fetch(`${server.httpUrl}/api/rooms/general/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'x' })
    })
    expect(response.status).toBe(401)
    await response.text()
  })
})

describe('lifecycle and connection records', () => {
  it('reports connections and their close, and close() is safe twice', async () => {
    await start()
    const events: string[] = []
    const unsubscribe = server.server.onConnectionChange((info) =>
      events.push(`${info.state}:${info.nick ?? ''}`)
    )
    const ann = await join('ann')
    await ann.client.close(1000, 'bye')
    await expect.poll(() => events.at(-1)).toBe('closed:ann')
    unsubscribe()
    const [record] = server.server.connections()
    expect(record).toMatchObject({ nick: 'ann', state: 'closed', code: 1000, reason: 'bye', wasClean: true })
    expect(server.server.state).toBe('listening')
    await Promise.all([server.server.close(), server.server.close()])
    expect(server.server.state).toBe('closed')
  })

  it('logs the code the server closed with, not the one the peer echoed', async () => {
    const lines: Record<string, unknown>[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    await start({ logger })
    // A peer that answers the server's close frame with a code of its own (a browser tab that is
    // itself being closed does this): the log must still name the server's reason and code.
    const peer = await rawWebSocket(server.port)
    const echoNormal = Buffer.alloc(2)
    echoNormal.writeUInt16BE(CloseCode.Normal)
    const replied = new Promise<void>((resolve) =>
      peer.socket.on('data', () => {
        if (closeCodeOf(peer.frames) === undefined) return
        peer.socket.end(clientFrame(Opcode.Close, echoNormal))
        resolve()
      })
    )
    await Promise.all([server.server.close(), replied, peer.closed])
    expect(lines.find((line) => line.msg === 'connection closed')).toMatchObject({
      code: CloseCode.GoingAway,
      reason: 'The server is shutting down.',
      peerCode: CloseCode.Normal
    })
  })

  it('close() during listen() leaves nothing listening', async () => {
    const dataDir = await mkdtemp(joinPath(tmpdir(), 'parley-race-'))
    const racing = createChatServer({ dataDir, port: 0, host: '127.0.0.1' })
    const listening = racing.listen()
    await racing.close()
    await expect(listening).rejects.toThrow(/closed while it was starting/)
    expect(racing.state).toBe('closed')
    await rm(dataDir, { recursive: true, force: true })
  })

  it('rejects invalid options with one TypeError naming them', () => {
    // Straight to createChatServer: it throws before touching dataDir, so no temp dir is made.
    expect(() =>
      createChatServer({
        dataDir: joinPath(tmpdir(), 'parley-never-created'),
        port: -1,
        limits: { rateBurst: 0 }
      })
    ).toThrow(/port must be.*rateBurst must be/)
  })
})
