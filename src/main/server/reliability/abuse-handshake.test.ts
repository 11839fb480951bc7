/**
 * Hostile handshakes from raw TCP against a real server: trickled headers, malformed upgrades,
 * and one address opening far more sockets than its share.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Socket } from 'node:net'
import { request } from 'node:http'
import { startTestServer, type TestServer } from '../../../../test-support/server/test-harness'
import {
  type HttpHead,
  openSocket,
  readHead,
  upgradeRequest,
  VALID_UPGRADE
} from '../../../../test-support/server/raw-socket'

let server: TestServer
const sockets: Socket[] = []
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await server.stop()
})

async function open(): Promise<Socket> {
  const socket = await openSocket(server.port)
  socket.on('error', () => {})
  sockets.push(socket)
  return socket
}

describe('handshake abuse', () => {
  it('cuts off a handshake whose headers trickle in, within 10 s', async () => {
    const socket = await open()
    const request = upgradeRequest(VALID_UPGRADE)
    const started = Date.now()
    let sent = 0
    // One byte every 500 ms: the whole request would take minutes (slowloris).
    const trickle = setInterval(() => {
      if (!socket.destroyed && sent < request.length) socket.write(request[sent++]!)
    }, 500)
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 12_000)
      socket.once('close', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    clearInterval(trickle)
    expect(closed, 'the server should close a slow handshake').toBe(true)
    expect(Date.now() - started).toBeLessThanOrEqual(10_500)
    expect(sent).toBeLessThan(request.length)
  }, 15_000)

  const malformed: [string, Record<string, string | undefined>][] = [
    [
      'a Sec-WebSocket-Key that is not 16 bytes of base64',
      { ...VALID_UPGRADE, 'Sec-WebSocket-Key': 'not-a-key' }
    ],
    ['no Sec-WebSocket-Key', { ...VALID_UPGRADE, 'Sec-WebSocket-Key': undefined }],
    ['Sec-WebSocket-Version 8 (a pre-RFC draft)', { ...VALID_UPGRADE, 'Sec-WebSocket-Version': '8' }],
    ['Sec-WebSocket-Version 99', { ...VALID_UPGRADE, 'Sec-WebSocket-Version': '99' }],
    ['no Sec-WebSocket-Version', { ...VALID_UPGRADE, 'Sec-WebSocket-Version': undefined }],
    ['Upgrade: h2c instead of websocket', { ...VALID_UPGRADE, Upgrade: 'h2c' }]
  ]
  for (const [what, headers] of malformed) {
    it(`answers 400 to an upgrade with ${what}`, async () => {
      const socket = await open()
      socket.write(upgradeRequest(headers))
      const head = await readHead(socket)
      expect(head).not.toBe('closed')
      if (head !== 'closed') expect(head.status).toBe(400)
    })
  }

  for (const origin of ['null', 'http://evil.example', 'http://127.0.0.1:1', 'https://localhost:5173']) {
    it(`answers 403 to a handshake from Origin ${origin}`, async () => {
      const socket = await open()
      socket.write(upgradeRequest({ ...VALID_UPGRADE, Origin: origin }))
      const head = await readHead(socket)
      expect(head !== 'closed' && head.status).toBe(403)
    })
  }

  it('still upgrades a well-formed request (the table above is not refusing everything)', async () => {
    const socket = await open()
    socket.write(upgradeRequest(VALID_UPGRADE))
    const head = await readHead(socket)
    expect(head !== 'closed' && head.status).toBe(101)
  })

  it('answers 503 with Retry-After once one address holds its share, out of 1,000 attempts', async () => {
    const attempts = 1000
    const heads: (HttpHead | 'closed')[] = []
    // In waves below the cap on connections still opening (128 per address), which is tested below.
    for (let wave = 0; wave < attempts / 50; wave++) {
      heads.push(
        ...(await Promise.all(
          Array.from({ length: 50 }, async () => {
            const socket = await open()
            socket.write(upgradeRequest(VALID_UPGRADE))
            return readHead(socket, 10_000)
          })
        ))
      )
    }
    const statuses = heads.map((head) => (head === 'closed' ? 0 : head.status))
    const accepted = statuses.filter((s) => s === 101).length
    const refused = heads.filter((h) => h !== 'closed' && h.status === 503)
    expect(accepted).toBe(100) // the default per-address cap
    expect(refused.length).toBe(attempts - accepted)
    expect(refused.every((h) => h !== 'closed' && Number(h.headers['retry-after']) > 0)).toBe(true)
    expect(server.server.stats().connections).toBe(100)
    // Another address is not punished for this one's excess.
    const other = await openSocket(server.port, '127.0.0.2')
    sockets.push(other)
    other.write(upgradeRequest(VALID_UPGRADE))
    const head = await readHead(other)
    expect(head !== 'closed' && head.status).toBe(101)
  }, 30_000)

  it('answers 503 at once to connections beyond 128 still opening from one address, and serves others', async () => {
    // The attack run: connections that trickle and never finish a request, with no cap on how
    // many; they held every file descriptor and /healthz failed with resets.
    const held: Socket[] = []
    for (let i = 0; i < 128; i++) held.push(await open())
    const extra = await Promise.all(Array.from({ length: 16 }, async () => readHead(await open(), 3000)))
    for (const head of extra) {
      expect(head !== 'closed' && head.status).toBe(503)
      expect(head !== 'closed' && Number(head.headers['retry-after'])).toBeGreaterThan(0)
    }
    // The 128 are still open: nothing arrived on them.
    const answered = await Promise.race([
      Promise.any(held.map((socket) => new Promise((resolve) => socket.once('data', resolve)))),
      new Promise((resolve) => setTimeout(() => resolve('none'), 300))
    ])
    expect(answered).toBe('none')
    // Another address is served, over HTTP and WebSocket alike.
    const health = await fetchFrom('127.0.0.2', '/healthz')
    expect(health).toBe(200)
    const other = await openSocket(server.port, '127.0.0.2')
    sockets.push(other)
    other.write(upgradeRequest(VALID_UPGRADE))
    const head = await readHead(other)
    expect(head !== 'closed' && head.status).toBe(101)
    // Once the held connections go, the address is served again.
    for (const socket of held) socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = await open()
    again.write(upgradeRequest(VALID_UPGRADE))
    const afterwards = await readHead(again)
    expect(afterwards !== 'closed' && afterwards.status).toBe(101)
  })

  it('caps connections still opening in total across addresses, and never counts upgraded sockets', async () => {
    await server.stop()
    server = await startTestServer({ maxPendingConnections: 20, maxPendingConnectionsPerIp: 8 })
    // Upgraded sockets are the other caps' business: 12 WebSockets from one address pass a cap of 8.
    for (let i = 0; i < 12; i++) {
      const socket = await open()
      socket.write(upgradeRequest(VALID_UPGRADE))
      const head = await readHead(socket)
      expect(head !== 'closed' && head.status).toBe(101)
    }
    const refusedPer: number[] = []
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      const mine: Socket[] = []
      for (let i = 0; i < 8; i++) {
        const socket = await openSocket(server.port, address)
        socket.on('error', () => {})
        sockets.push(socket)
        mine.push(socket)
      }
      const heads = await Promise.all(
        mine.map((socket) =>
          Promise.race([
            readHead(socket, 3000),
            new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 300))
          ])
        )
      )
      refusedPer.push(
        heads.filter((head) => head !== 'open' && head !== 'closed' && head.status === 503).length
      )
    }
    // 20 of the 24 fit: the third address gets only 4 in.
    expect(refusedPer).toEqual([0, 0, 4])
  })
})

describe('connections still opening, behind a reverse proxy', () => {
  it("does not apply the per-address cap to a trusted proxy's address, which carries everyone", async () => {
    await server.stop()
    server = await startTestServer({ maxPendingConnectionsPerIp: 2, trustProxy: ['127.0.0.9'] })
    const refusedFrom = async (address: string): Promise<number> => {
      const mine: Socket[] = []
      for (let i = 0; i < 5; i++) {
        const socket = await openSocket(server.port, address)
        socket.on('error', () => {})
        sockets.push(socket)
        mine.push(socket)
      }
      const heads = await Promise.all(
        mine.map((socket) =>
          Promise.race([
            readHead(socket, 3000),
            new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 300))
          ])
        )
      )
      return heads.filter((head) => head !== 'open' && head !== 'closed' && head.status === 503).length
    }
    expect(await refusedFrom('127.0.0.9')).toBe(0)
    expect(await refusedFrom('127.0.0.8')).toBe(3)
  })
})

function fetchFrom(localAddress: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, localAddress, path, agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}
