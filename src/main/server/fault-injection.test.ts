/**
 * Each injected fault over a real server and real sockets, driven through the admin API the way a
 * client's author would (curl, a test script), and the API's refusals.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../shared/close-codes'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

const TOKEN = 'admin-token-for-tests'
let server: TestServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await server?.stop()
  server = undefined
})

async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  server = await startTestServer({ adminToken: TOKEN, ...options })
  return server
}

async function join(url: string, nick: string) {
  const joined = await joinAs(url, nick)
  clients.push(joined.client)
  return joined
}

function faults(
  httpUrl: string,
  userId: string,
  body: unknown,
  { method = 'POST', token = TOKEN }: { method?: string; token?: string | null } = {}
): Promise<Response> {
  return fetch(`${httpUrl}/api/users/${encodeURIComponent(userId)}/faults`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` })
    },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {})
  })
}

/** Round trip of one ping, in ms, measured by the client. */
async function pingMs(client: TestClient, t: number): Promise<number> {
  const started = performance.now()
  client.send({ type: 'ping', t })
  const pong = await client.next('pong', 5000)
  expect(pong.t).toBe(t)
  return performance.now() - started
}

describe('fault injection', () => {
  it('delayMs: every frame to the user arrives that much later, in order, until cleared', async () => {
    const { url, httpUrl } = await start()
    const { client, welcome } = await join(url, 'slowpoke')
    const before = await pingMs(client, 1)

    const response = await faults(httpUrl, welcome.user.id, { delayMs: 300 })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ faults: { delayMs: 300 } })
    const delayed = await pingMs(client, 2)
    expect(delayed).toBeGreaterThanOrEqual(295)
    // Several frames in a row keep their order behind the delay.
    for (let t = 10; t < 15; t++) client.send({ type: 'ping', t })
    const order: number[] = []
    for (let i = 0; i < 5; i++) order.push((await client.next('pong', 5000)).t)
    expect(order).toEqual([10, 11, 12, 13, 14])

    expect((await faults(httpUrl, welcome.user.id, null, { method: 'DELETE' })).status).toBe(200)
    const after = await pingMs(client, 3)
    expect(after).toBeLessThan(250)
    expect(before).toBeLessThan(250)
  })

  it('delayMs follows the user onto a new connection, and shows in connections()', async () => {
    const { url, httpUrl, server: chat } = await start()
    const first = await join(url, 'roamer')
    await faults(httpUrl, first.welcome.user.id, { delayMs: 200 })
    expect(chat.connections().find((c) => c.userId === first.welcome.user.id)?.faults).toEqual({
      delayMs: 200
    })
    await first.client.close()
    const again = await joinAs(url, 'roamer', { session: first.welcome.session })
    clients.push(again.client)
    expect(again.welcome.user.id).toBe(first.welcome.user.id)
    expect(await pingMs(again.client, 1)).toBeGreaterThanOrEqual(195)
  })

  it('closeCode: the user is closed with the chosen code and reason', async () => {
    const { url, httpUrl } = await start()
    const { client, welcome } = await join(url, 'target')
    const response = await faults(httpUrl, welcome.user.id, { closeCode: 4000, reason: 'chaos test' })
    expect(response.status).toBe(200)
    expect(await client.closed).toMatchObject({ code: 4000, reason: 'chaos test', wasClean: true })
  })

  it('drop: the TCP connection is destroyed without a close frame, so the client sees 1006', async () => {
    const { url, httpUrl } = await start()
    const { client, welcome } = await join(url, 'dropped')
    expect((await faults(httpUrl, welcome.user.id, { drop: true })).status).toBe(200)
    expect(await client.closed).toMatchObject({ code: CloseCode.Abnormal, wasClean: false })
  })

  it('pauseReads: frames pile up unsent until the backlog passes the cap, then 1013', async () => {
    const maxBufferedBytes = 64 * 1024
    const { url, httpUrl, server: chat } = await start({ limits: { maxBufferedBytes } })
    const stalled = await join(url, 'stalled')
    const talker = await join(url, 'talker')
    expect((await faults(httpUrl, stalled.welcome.user.id, { pauseReads: true })).status).toBe(200)
    const received = stalled.client.log.length

    // Each message is ~3 KB of JSON to the stalled member; 40 of them pass a 64 KiB cap.
    const text = 'x'.repeat(3000)
    for (let i = 0; i < 40; i++) {
      talker.client.send({ type: 'send', room: 'general', text, cid: `c${i}` })
      await talker.client.next('message', 5000)
      const info = chat.connections().find((c) => c.userId === stalled.welcome.user.id && c.state === 'open')
      if (!info) break
    }
    const closed = await stalled.client.closed
    expect(closed.code).toBe(CloseCode.TryAgainLater)
    // Nothing held was delivered: the client saw no message frame after the fault.
    expect(stalled.client.log.slice(received).filter((m) => m.type === 'message')).toEqual([])
    const record = chat.connections().find((c) => c.userId === stalled.welcome.user.id)
    expect(record).toMatchObject({ state: 'closed', code: CloseCode.TryAgainLater })
  })

  it('pauseReads cleared: the held frames are delivered, in order', async () => {
    const { url, httpUrl } = await start()
    const { client, welcome } = await join(url, 'paused')
    await faults(httpUrl, welcome.user.id, { pauseReads: true })
    client.send({ type: 'ping', t: 1 })
    client.send({ type: 'ping', t: 2 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(client.queued('pong')).toEqual([])
    const cleared = await faults(httpUrl, welcome.user.id, null, { method: 'DELETE' })
    expect(cleared.status).toBe(200)
    expect((await client.next('pong', 5000)).t).toBe(1)
    expect((await client.next('pong', 5000)).t).toBe(2)
  })

  it('is refused without the admin token, and explains a bad body', async () => {
    const { url, httpUrl } = await start()
    const { client, welcome } = await join(url, 'safe')
    const id = welcome.user.id
    const none = await faults(httpUrl, id, { drop: true }, { token: null })
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: 'unauthorized' })
    expect((await faults(httpUrl, id, { drop: true }, { token: 'wrong-token-123' })).status).toBe(401)
    expect((await faults(httpUrl, id, null, { method: 'DELETE', token: null })).status).toBe(401)

    const badCode = await faults(httpUrl, id, { closeCode: 1006 })
    expect(badCode.status).toBe(400)
    expect(await badCode.json()).toMatchObject({
      error: 'invalid_fault',
      message: expect.stringContaining('1004–1006 and 1015 never go on the wire')
    })
    expect((await faults(httpUrl, id, { explode: true })).status).toBe(400)
    const nobody = await faults(httpUrl, 'no-such-user', { delayMs: 10 })
    expect(nobody.status).toBe(404)
    expect(await nobody.json()).toMatchObject({ error: 'no_such_user' })
    // Still connected: no refused request touched the socket.
    expect(await pingMs(client, 9)).toBeLessThan(1000)
  })

  it('is refused on a server started without an admin token', async () => {
    server = await startTestServer()
    const { welcome } = await join(server.url, 'anyone')
    const response = await faults(server.httpUrl, welcome.user.id, { drop: true })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('--admin-token') })
  })
})
