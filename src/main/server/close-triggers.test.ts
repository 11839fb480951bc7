/**
 * Every close code the server sends, each triggered for real over a socket.
 * Node's global WebSocket (the browser API) where it can do the job; the `ws` client where a
 * browser cannot: stop answering pings, stop reading, send invalid UTF-8.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { CloseCode, SERVER_CLOSE_CODES } from '../../shared/close-codes'
import { DATABASE_FILE } from './history-store'
import { clientFrame, closeCodeOf, Opcode, rawWebSocket } from '../../../test-support/server/raw-socket'
import {
  connect,
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer | undefined
const clients: TestClient[] = []
const rawClients: WsClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  for (const raw of rawClients.splice(0)) raw.terminate()
  await server?.stop()
  server = undefined
})

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  server = await startTestServer(options)
  return server
}

async function open(url: string): Promise<TestClient> {
  const client = await connect(url)
  clients.push(client)
  return client
}

function openRaw(url: string, options: ConstructorParameters<typeof WsClient>[2] = {}): Promise<WsClient> {
  const raw = new WsClient(url, options)
  rawClients.push(raw)
  return new Promise((resolve, reject) => {
    raw.once('open', () => resolve(raw))
    raw.once('error', reject)
  })
}

function rawClosed(raw: WsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    raw.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  )
}

/**
 * Says hello on a ws client and waits for the joined that follows welcome. Fails fast (not at
 * the test's timeout) when the socket closes first or nothing arrives.
 */
function rawHello(raw: WsClient, nick: string, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer)
      raw.off('message', onMessage)
      raw.off('close', onClose)
      if (error) reject(error)
      else resolve()
    }
    const onMessage = (data: Buffer) => {
      if (JSON.parse(data.toString()).type === 'joined') done()
    }
    const onClose = (code: number) => done(new Error(`Socket closed (${code}) before "joined" for ${nick}`))
    const timer = setTimeout(
      () => done(new Error(`No "joined" within ${timeoutMs} ms for ${nick}`)),
      timeoutMs
    )
    raw.on('message', onMessage)
    raw.on('close', onClose)
    raw.send(JSON.stringify({ type: 'hello', nick }))
  })
}

describe('close codes, each triggered for real', () => {
  it('1000: a normal close is echoed and recorded as clean', async () => {
    const { url } = await start()
    const client = await open(url)
    expect(await client.close(1000, 'done')).toEqual({ code: 1000, reason: 'done', wasClean: true })
  })

  it('1001: stopping the server closes every client with Going Away', async () => {
    const { url } = await start()
    const a = await open(url)
    const b = await open(url)
    a.send({ type: 'hello', nick: 'a' })
    await a.next('joined')
    await server!.server.close()
    expect((await a.closed).code).toBe(CloseCode.GoingAway)
    expect((await b.closed).code).toBe(CloseCode.GoingAway)
    expect(server!.server.state).toBe('closed')
  })

  it('1002: a frame that breaks the framing rules (RSV1 set without an extension)', async () => {
    const { port } = await start()
    const { socket, frames, closed } = await rawWebSocket(port)
    const frame = clientFrame(Opcode.Text, '{"type":"ping","t":1}')
    frame[0] = frame[0]! | 0x40
    socket.write(frame)
    await closed
    expect(closeCodeOf(frames)).toBe(CloseCode.ProtocolError)
  })

  // 1008 (a flood of fragments) is triggered in reliability/abuse-frames.test.ts.

  it('1003: a binary frame', async () => {
    const { url } = await start()
    const client = await open(url)
    client.ws.send(new Uint8Array([1, 2, 3]))
    expect((await client.closed).code).toBe(CloseCode.UnsupportedData)
  })

  it('1007: a text frame that is not valid UTF-8', async () => {
    const { url } = await start()
    const raw = await openRaw(url)
    const closed = rawClosed(raw)
    raw.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })
    expect((await closed).code).toBe(CloseCode.InvalidPayload)
  })

  it('1009: a frame over the payload cap', async () => {
    const { url } = await start({ limits: { maxPayloadBytes: 1024 } })
    const client = await open(url)
    client.send('x'.repeat(1025))
    expect((await client.closed).code).toBe(CloseCode.MessageTooBig)
  })

  it('1013: a slow consumer whose unsent buffer passes the cap', async () => {
    const { url } = await start({
      limits: { maxBufferedBytes: 64 * 1024, rateBurst: 10_000, ratePerSecond: 10_000, maxTextLength: 60_000 }
    })
    const slow = await openRaw(url)
    await rawHello(slow, 'slow')
    const slowClosed = rawClosed(slow)
    // Stop reading: the kernel buffers fill, then the server's user-space buffer grows.
    slow.pause()
    const fast = await open(url)
    fast.send({ type: 'hello', nick: 'fast' })
    await fast.next('joined')
    const text = 'y'.repeat(50_000)
    let sawLeave = false
    // Bounded: at most 400 × 50 KB; in practice a few MB of kernel buffer are enough.
    for (let batch = 0; batch < 40 && !sawLeave; batch++) {
      for (let i = 0; i < 10; i++) fast.send({ type: 'send', room: 'general', text })
      for (let i = 0; i < 10; i++) await fast.next('message')
      sawLeave = fast.queued('presence').some((p) => p.event === 'leave' && p.user.nick === 'slow')
    }
    expect(sawLeave).toBe(true)
    slow.resume()
    expect((await slowClosed).code).toBe(CloseCode.TryAgainLater)
    // The record keeps the code the server sent, whatever the stalled peer managed to echo.
    const record = () => server!.server.connections().find((info) => info.nick === 'slow')
    await expect.poll(() => record()?.state).toBe('closed')
    expect(record()).toMatchObject({
      code: CloseCode.TryAgainLater,
      reason: expect.stringMatching(/too slowly/)
    })
  })

  it('1011: a message that cannot be stored is never acknowledged; the sender is told to retry', async () => {
    const { url, dataDir } = await start()
    const ann = await joinAs(url, 'ann')
    clients.push(ann.client)
    // Another process holding the write lock makes the server's commit fail (after its busy timeout).
    const intruder = new DatabaseSync(join(dataDir, DATABASE_FILE))
    intruder.exec('BEGIN IMMEDIATE')
    try {
      ann.client.send({ type: 'send', room: 'general', text: 'lost?', cid: 'x' })
      expect((await ann.client.closed).code).toBe(CloseCode.InternalError)
      expect(ann.client.queued('message')).toEqual([])
    } finally {
      intruder.exec('ROLLBACK')
      intruder.close()
    }
    // The server carries on, and the unacknowledged message was not stored.
    const bob = await joinAs(url, 'bob')
    clients.push(bob.client)
    bob.client.send({ type: 'send', room: 'general', text: 'after', cid: 'y' })
    expect(await bob.client.next('message')).toMatchObject({ text: 'after', cid: 'y' })
    bob.client.send({ type: 'history', room: 'general' })
    expect((await bob.client.next('history')).messages.map((m) => m.text)).toEqual(['after'])
  })

  it('4400: a first message that is not a hello', async () => {
    const { url } = await start()
    const client = await open(url)
    client.send({ type: 'join', room: 'general' })
    expect((await client.closed).code).toBe(CloseCode.NotHello)
  })

  it('4400: a hello with an invalid nick', async () => {
    const { url } = await start()
    const client = await open(url)
    client.send({ type: 'hello', nick: 'bad\u0007bell' })
    expect((await client.closed).code).toBe(CloseCode.NotHello)
  })

  it('4401: wrong or missing password; the right one is welcomed', async () => {
    const { url } = await start({ password: 'hunter2' })
    const missing = await open(url)
    missing.send({ type: 'hello', nick: 'a' })
    expect((await missing.closed).code).toBe(CloseCode.Unauthorized)
    const wrong = await open(url)
    wrong.send({ type: 'hello', nick: 'a', password: 'hunter3' })
    expect((await wrong.closed).code).toBe(CloseCode.Unauthorized)
    const right = await open(url)
    right.send({ type: 'hello', nick: 'a', password: 'hunter2' })
    await right.next('welcome')
  })

  it('4403: a hello resuming a session whose socket is still open replaces it', async () => {
    const { url } = await start()
    const first = await joinAs(url, 'ann')
    clients.push(first.client)
    const second = await open(url)
    second.send({ type: 'hello', nick: 'ann', session: first.welcome.session })
    const welcome = await second.next('welcome')
    expect(welcome).toMatchObject({ resumed: true, user: first.welcome.user })
    expect((await first.client.closed).code).toBe(CloseCode.SessionReplaced)
    // The new socket is the member now: it receives room traffic.
    second.send({ type: 'send', room: 'general', text: 'still here', cid: 'x' })
    expect(await second.next('message')).toMatchObject({ text: 'still here', cid: 'x' })
  })

  it('4408: no hello within the timeout', async () => {
    const { url } = await start({ limits: { helloTimeoutMs: 100 } })
    const client = await open(url)
    expect((await client.closed).code).toBe(CloseCode.HelloTimeout)
  })

  it('4409: a nick in use by a live session, case-insensitively', async () => {
    const { url } = await start()
    const ann = await joinAs(url, 'Ann')
    clients.push(ann.client)
    const copy = await open(url)
    copy.send({ type: 'hello', nick: 'aNN' })
    expect((await copy.closed).code).toBe(CloseCode.NickInUse)
  })

  it('4410: kicked through the moderation API, with the reason', async () => {
    const { url, httpUrl } = await start({ adminToken: 'close-trigger-admin' })
    const bob = await joinAs(url, 'bob')
    clients.push(bob.client)
    await fetch(`${httpUrl}/api/users/${bob.welcome.user.id}/kick`, {
      method: 'POST',
      headers: { Authorization: 'Bearer close-trigger-admin' },
      body: JSON.stringify({ reason: 'calm down' })
    })
    expect(await bob.client.closed).toMatchObject({
      code: CloseCode.Kicked,
      reason: 'Removed by a moderator: calm down'
    })
  })

  it('4411: banned through the moderation API, and every later hello with that nick', async () => {
    const { url, httpUrl } = await start({ adminToken: 'close-trigger-admin' })
    const bob = await joinAs(url, 'bob')
    clients.push(bob.client)
    await fetch(`${httpUrl}/api/users/${bob.welcome.user.id}/ban`, {
      method: 'POST',
      headers: { Authorization: 'Bearer close-trigger-admin' }
    })
    expect(await bob.client.closed).toMatchObject({ code: CloseCode.Banned, reason: 'Banned.' })
    const again = await open(url)
    again.send({ type: 'hello', nick: 'BOB' })
    expect((await again.closed).code).toBe(CloseCode.Banned)
  })

  it('4429: exceeding the burst closes the sender; the others are unaffected', async () => {
    const { url } = await start({ limits: { rateBurst: 5, ratePerSecond: 1 } })
    const calm = await joinAs(url, 'calm')
    clients.push(calm.client)
    const noisy = await open(url)
    noisy.send({ type: 'hello', nick: 'noisy' })
    for (let i = 0; i < 10; i++) noisy.send({ type: 'ping', t: i })
    expect((await noisy.closed).code).toBe(CloseCode.RateLimited)
    calm.client.send({ type: 'ping', t: 1 })
    expect((await calm.client.next('pong')).t).toBe(1)
  })

  it('dead peers (no pong) are terminated and their presence leave is broadcast', async () => {
    // Not shorter: a loaded machine can stall the event loop for tens of ms, and a stall longer
    // than one interval would make the healthy watcher miss a pong too.
    const { url } = await start({ pingIntervalMs: 300 })
    const watcher = await joinAs(url, 'watcher')
    clients.push(watcher.client)
    const dead = await openRaw(url, { autoPong: false })
    const deadClosed = rawClosed(dead)
    await rawHello(dead, 'ghost')
    const leave = await watcher.client
      .next('presence', 5000)
      .then(() => watcher.client.next('presence', 5000))
    expect(leave).toMatchObject({ event: 'leave', user: { nick: 'ghost' } })
    expect((await deadClosed).code).toBe(CloseCode.Abnormal)
  })

  it('a peer that keeps sending gets no pings; once silent it is pinged, and terminated unanswered', async () => {
    const { url } = await start({ pingIntervalMs: 300 })
    const talker = await openRaw(url, { autoPong: false })
    const closed = rawClosed(talker)
    let pings = 0
    talker.on('ping', () => pings++)
    await rawHello(talker, 'talker')
    // An app-level ping every 100 ms: five intervals in which the server hears it each time.
    const chatter = setInterval(() => talker.send(JSON.stringify({ type: 'ping', t: 1 })), 100)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    clearInterval(chatter)
    expect(pings).toBe(0)
    expect(talker.readyState).toBe(WsClient.OPEN)
    expect((await closed).code).toBe(CloseCode.Abnormal)
    expect(pings).toBe(1)
  })
})

describe('the documented close codes', () => {
  it('docs/protocol.md lists exactly the codes the server sends', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/protocol.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## Close codes'))
    const table = section.slice(0, section.indexOf('\n## ', 1))
    const rows = [...table.matchAll(/^\| (\d{4}) \|/gm)].map((match) => Number(match[1]))
    expect(rows).toEqual([...SERVER_CLOSE_CODES].sort((a, b) => a - b))
  })
})
