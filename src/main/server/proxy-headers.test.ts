/**
 * --trust-proxy against a real server: the per-address cap, the connections view and the origin
 * check see the forwarded client only when the TCP peer is a listed proxy. Peers are real
 * loopback sockets bound to different 127/8 source addresses (all of 127/8 is loopback on Linux).
 */
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SUBPROTOCOL } from '../../shared/protocol'
import {
  socketTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer | undefined
const sockets = socketTestFixture(() => server)

/** Opens a socket from `localAddress`; resolves with 101 or the refusal's status. */
async function open(
  localAddress: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; ws: WebSocket }> {
  const ws = new WebSocket(server!.url, SUBPROTOCOL, { localAddress, headers })
  sockets.push(ws)
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101))
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
    })
    ws.once('error', reject)
  })
  return { status, ws }
}

function statusOf(localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server!.httpUrl}/api/stats`, { localAddress, headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.once('error', reject)
    req.end()
  })
}

describe('behind a trusted proxy', () => {
  it('caps each forwarded client on its own address, and shows that address', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], maxConnectionsPerIp: 1 })
    expect((await open('127.0.0.1', { 'X-Forwarded-For': '203.0.113.1' })).status).toBe(101)
    expect((await open('127.0.0.1', { 'X-Forwarded-For': '203.0.113.2' })).status).toBe(101)
    expect((await open('127.0.0.1', { Forwarded: 'for="[2001:db8::7]:5000"' })).status).toBe(101)
    expect((await open('127.0.0.1', { 'X-Forwarded-For': '203.0.113.1' })).status).toBe(503)
    const open_ = server.server.connections().filter((c) => c.state === 'open')
    expect(open_.map((c) => c.remoteAddress).sort()).toEqual(['2001:db8::7', '203.0.113.1', '203.0.113.2'])
  })

  it('ignores forged headers from any other peer, which stays capped on its own address', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], maxConnectionsPerIp: 1 })
    expect((await open('127.0.0.2', { 'X-Forwarded-For': '203.0.113.1' })).status).toBe(101)
    expect((await open('127.0.0.2', { 'X-Forwarded-For': '203.0.113.2' })).status).toBe(503)
    expect((await open('127.0.0.2', { Forwarded: 'for=203.0.113.3' })).status).toBe(503)
    expect(server.server.connections().map((c) => c.remoteAddress)).toEqual(['127.0.0.2'])
  })

  it('believes nothing without --trust-proxy, not even from loopback', async () => {
    server = await startTestServer({ maxConnectionsPerIp: 1 })
    expect((await open('127.0.0.1', { 'X-Forwarded-For': '203.0.113.1' })).status).toBe(101)
    expect((await open('127.0.0.1', { 'X-Forwarded-For': '203.0.113.2' })).status).toBe(503)
  })

  it('accepts an https page on the proxy’s host as its own origin, only through the proxy', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1/32'] })
    const page = {
      Origin: 'https://chat.example',
      'X-Forwarded-For': '203.0.113.1',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'chat.example'
    }
    expect((await open('127.0.0.1', page)).status).toBe(101)
    expect((await open('127.0.0.1', { ...page, 'X-Forwarded-Proto': 'http' })).status).toBe(403)
    expect((await open('127.0.0.3', page)).status).toBe(403)
    // Plain HTTP too: the web client and /api/stats answer the proxy's name only through the proxy.
    expect(await statusOf('127.0.0.1', { Host: 'chat.example', 'X-Forwarded-For': '203.0.113.1' })).toBe(200)
    expect(await statusOf('127.0.0.3', { Host: 'chat.example', 'X-Forwarded-For': '203.0.113.1' })).toBe(421)
    // A browser on the proxy's own machine sends no forwarding header: still checked (DNS rebinding).
    expect(await statusOf('127.0.0.1', { Host: 'chat.example' })).toBe(421)
  })

  it('refuses an unreadable --trust-proxy entry at construction, naming it', async () => {
    await expect(startTestServer({ trustProxy: ['127.0.0.1', 'proxy.internal'] })).rejects.toThrow(
      'Invalid trusted proxy proxy.internal'
    )
  })
})
