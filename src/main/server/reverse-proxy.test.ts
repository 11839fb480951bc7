/**
 * A real nginx and a real Caddy with TLS (docs/deploy/nginx.conf and docs/deploy/Caddyfile, as
 * documented) in front of a real server: chat
 * over wss, the per-address cap with and without --trust-proxy, forged forwarding headers, and
 * what a client sees across a restart for an upgrade. Client sockets are bound to different
 * 127/8 source addresses so nginx sees them as different people.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { CloseCode } from '../../shared/close-codes'
import { SUBPROTOCOL, type ServerMessage } from '../../shared/protocol'
import { freePort } from '../../../test-support/free-port'
import { CADDY, startCaddy } from '../../../test-support/reverse-proxy/caddy'
import {
  NGINX,
  selfSignedCertificate,
  startNginx,
  type SiteValues
} from '../../../test-support/reverse-proxy/nginx'
import type { RunningProxy } from '../../../test-support/reverse-proxy/proxy-process'
import {
  socketTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'
import type { ChatServerOptions } from './index'

const NAME = 'chat.test'
let dir: string
let proxy: RunningProxy
let upstreamPort: number
let server: TestServer | undefined
const sockets = socketTestFixture(() => server)

function serve(options: Partial<ChatServerOptions> = {}, dataDir?: string): Promise<TestServer> {
  return startTestServer({ port: upstreamPort, ...options }, dataDir)
}

interface Client {
  ws: WebSocket
  status: number
  messages: ServerMessage[]
  next<T extends ServerMessage['type']>(
    type: T,
    timeoutMs?: number
  ): Promise<Extract<ServerMessage, { type: T }>>
  closed: Promise<{ code: number; reason: string }>
}

/** A browser-like client on the proxy: wss, the page's Origin, from `localAddress`. */
async function viaProxy(localAddress: string, headers: Record<string, string> = {}): Promise<Client> {
  return open(`wss://127.0.0.1:${proxy.port}/ws`, localAddress, {
    headers: { Host: `${NAME}:${proxy.port}`, ...headers },
    origin: `https://${NAME}:${proxy.port}`,
    // Verified against the test certificate (its SAN holds 127.0.0.1): no rejectUnauthorized: false.
    ca: proxy.cert
  })
}

async function direct(localAddress: string, headers: Record<string, string> = {}): Promise<Client> {
  return open(`ws://127.0.0.1:${upstreamPort}/ws`, localAddress, { headers })
}

async function open(url: string, localAddress: string, options: WebSocket.ClientOptions): Promise<Client> {
  const ws = new WebSocket(url, SUBPROTOCOL, { ...options, localAddress })
  sockets.push(ws)
  const messages: ServerMessage[] = []
  const queue: ServerMessage[] = []
  const wake = new Set<() => void>()
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as ServerMessage
    messages.push(message)
    queue.push(message)
    for (const waiter of wake) waiter()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  )
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101))
    ws.once('unexpected-response', (_req, res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    ws.once('error', reject)
  })
  return {
    ws,
    status,
    messages,
    closed,
    next(type, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = queue.findIndex((message) => message.type === type)
          if (index === -1) return false
          resolve(queue.splice(index, 1)[0] as never)
          return true
        }
        if (check()) return
        const timer = setTimeout(() => {
          wake.delete(waiter)
          reject(new Error(`no ${type} within ${timeoutMs} ms`))
        }, timeoutMs)
        const waiter = () => {
          if (!check()) return
          clearTimeout(timer)
          wake.delete(waiter)
        }
        wake.add(waiter)
      })
    }
  }
}

function httpsGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        path,
        headers: { Host: NAME },
        ca: proxy.cert,
        servername: NAME
      },
      (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.once('error', reject)
    req.end()
  })
}

const PROXIES: { name: string; binary: string; package: string; start: typeof startNginx }[] = [
  { name: 'nginx', binary: NGINX, package: 'nginx-light', start: startNginx },
  { name: 'Caddy', binary: CADDY, package: 'caddy', start: startCaddy }
]

describe.each(PROXIES)('behind $name with TLS', ({ binary, package: pkg, start }) => {
  beforeAll(async () => {
    // A missing proxy is a broken test machine, not a pass: .ci/run installs both from Debian.
    expect(existsSync(binary), `${binary} is missing: apt-get install ${pkg}`).toBe(true)
    dir = await mkdtemp(join(tmpdir(), 'parley-proxy-'))
    const { certFile, keyFile } = selfSignedCertificate(dir, NAME)
    upstreamPort = await freePort()
    const values: SiteValues = {
      serverName: NAME,
      listenPort: await freePort(),
      upstreamPort,
      certFile,
      keyFile
    }
    proxy = await start(dir, values)
  }, 20_000)

  afterAll(async () => {
    await proxy?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('chats over wss, with each client shown by its own address and the https page as its own origin', async () => {
    server = await serve({ trustProxy: ['127.0.0.1'] })
    const ann = await viaProxy('127.0.0.2')
    const bob = await viaProxy('127.0.0.3')
    expect([ann.status, bob.status]).toEqual([101, 101])
    ann.ws.send(JSON.stringify({ type: 'hello', nick: 'ann' }))
    await ann.next('joined')
    bob.ws.send(JSON.stringify({ type: 'hello', nick: 'bob' }))
    await bob.next('joined')
    ann.ws.send(JSON.stringify({ type: 'send', room: 'general', text: 'hello over wss', cid: 'a1' }))
    expect(await bob.next('message')).toMatchObject({ text: 'hello over wss', from: { nick: 'ann' } })
    const open = server.server.connections().filter((c) => c.state === 'open')
    expect(open.map((c) => c.remoteAddress).sort()).toEqual(['127.0.0.2', '127.0.0.3'])
    // Plain HTTP through the proxy answers to the proxy's name too.
    const stats = await httpsGet('/api/stats')
    expect(stats.status).toBe(200)
    expect(JSON.parse(stats.body)).toMatchObject({ connections: 2, onlineUsers: 2 })
  })

  it('with --trust-proxy caps each source address separately, and one address alone is still capped', async () => {
    server = await serve({ trustProxy: ['127.0.0.1'], maxConnectionsPerIp: 1 })
    expect((await viaProxy('127.0.0.2')).status).toBe(101)
    expect((await viaProxy('127.0.0.3')).status).toBe(101)
    expect((await viaProxy('127.0.0.2')).status).toBe(503)
    // A client cannot pose as someone else through the proxy: nginx appends the real peer (the
    // right-most untrusted hop), Caddy replaces the header, and both drop a client's Forwarded.
    expect((await viaProxy('127.0.0.3', { 'X-Forwarded-For': '203.0.113.50' })).status).toBe(503)
    expect((await viaProxy('127.0.0.3', { Forwarded: 'for=203.0.113.51' })).status).toBe(503)
  })

  it('without --trust-proxy every client is the proxy, so the cap counts them all as one, and the page is foreign', async () => {
    server = await serve({ maxConnectionsPerIp: 1 })
    // Nor does anything tell it that the page was https on the proxy's name: refused as foreign.
    expect((await viaProxy('127.0.0.2')).status).toBe(403)
    await server.stop()
    server = await serve({ maxConnectionsPerIp: 1, allowOrigins: [`https://${NAME}:${proxy.port}`] })
    expect((await viaProxy('127.0.0.2')).status).toBe(101)
    expect((await viaProxy('127.0.0.3')).status).toBe(503)
    expect(server.server.connections().map((c) => c.remoteAddress)).toEqual(['127.0.0.1'])
  })

  it('gives a client talking to Parley directly with a forged X-Forwarded-For no effect', async () => {
    server = await serve({ trustProxy: ['127.0.0.1'], maxConnectionsPerIp: 1 })
    expect((await direct('127.0.0.4', { 'X-Forwarded-For': '203.0.113.60' })).status).toBe(101)
    expect((await direct('127.0.0.4', { 'X-Forwarded-For': '203.0.113.61' })).status).toBe(503)
    expect(server.server.connections().map((c) => c.remoteAddress)).toEqual(['127.0.0.4'])
  })

  it('a restart for an upgrade: 1001 with a reason, 502 while down, then resume with nothing lost', async () => {
    const dataDir = join(dir, 'restart-data')
    const options = { trustProxy: ['127.0.0.1'], limits: { rateBurst: 10_000, ratePerSecond: 10_000 } }
    server = await serve(options, dataDir)
    const reader = await viaProxy('127.0.0.2')
    reader.ws.send(JSON.stringify({ type: 'hello', nick: 'reader' }))
    const readerWelcome = await reader.next('welcome')
    await reader.next('joined')
    const writer = await viaProxy('127.0.0.3')
    writer.ws.send(JSON.stringify({ type: 'hello', nick: 'writer' }))
    const writerWelcome = await writer.next('welcome')
    await writer.next('joined')

    // A burst is in flight when the operator runs `systemctl restart parley` (SIGTERM → close()).
    const TOTAL = 200
    const burst = (async () => {
      for (let i = 0; i < TOTAL && writer.ws.readyState === WebSocket.OPEN; i++) {
        writer.ws.send(JSON.stringify({ type: 'send', room: 'general', text: `m${i}`, cid: `c${i}` }))
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 2))
      }
    })()
    // Stopped mid-burst: part of it is stored, the rest still to be sent, on the wire or in nginx.
    const deadline = Date.now() + 5000
    while (server.server.stats().messagesStored < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await server.server.close()
    const [readerClose, writerClose] = await Promise.all([reader.closed, writer.closed, burst])
    for (const seen of [readerClose, writerClose]) {
      expect(seen).toEqual({ code: CloseCode.GoingAway, reason: 'The server is shutting down.' })
    }
    const acked = new Map<string, number>()
    for (const m of writer.messages) if (m.type === 'message' && m.cid) acked.set(m.cid, m.id)
    console.log('ACKED', acked.size)
    const readerSeen = reader.messages.flatMap((m) => (m.type === 'message' ? [m.id] : []))

    // While it is down the proxy answers the handshake itself: a client just retries.
    expect((await viaProxy('127.0.0.2')).status).toBe(502)

    server = await serve(options, dataDir)
    const back = await viaProxy('127.0.0.2')
    back.ws.send(
      JSON.stringify({
        type: 'hello',
        nick: 'reader',
        session: readerWelcome.session,
        resume: { general: Math.max(0, ...readerSeen) }
      })
    )
    expect(await back.next('welcome')).toMatchObject({ resumed: true, user: readerWelcome.user })
    const replay = (await back.next('joined')).history.map((m) => m.id)
    const all = [...readerSeen, ...replay]
    // Every acknowledged message reached the reader exactly once across the restart.
    expect(new Set(all).size).toBe(all.length)
    for (const id of acked.values()) expect(all).toContain(id)

    // The writer resends what was never acknowledged under the same cids: stored once, in order.
    const writerBack = await viaProxy('127.0.0.3')
    writerBack.ws.send(JSON.stringify({ type: 'hello', nick: 'writer', session: writerWelcome.session }))
    expect(await writerBack.next('welcome')).toMatchObject({ resumed: true })
    await writerBack.next('joined')
    for (let i = 0; i < TOTAL; i++) {
      writerBack.ws.send(JSON.stringify({ type: 'send', room: 'general', text: `m${i}`, cid: `c${i}` }))
    }
    const ids: number[] = []
    for (let i = 0; i < TOTAL; i++) ids.push((await writerBack.next('message')).id)
    expect(ids).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1))
    for (const [cid, id] of acked) expect(ids[Number(cid.slice(1))]).toBe(id)
  }, 30_000)
})
