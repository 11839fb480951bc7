/**
 * The desktop relay through the typed bridge (preload API → router → handlers → relay) against a
 * foreign `ws` server: request headers reach it, frames go both ways, a close code arrives, and a
 * refused handshake says its HTTP status.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { createParleyApi } from '../preload/api'
import type { ParleyApi, RelayEvent } from '../shared/ipc'
import { createInvokeHandlers, type HandlerServices } from './invoke-handlers'
import { registerHandlers } from './ipc-router'
import { APP_ORIGIN, createTrustedUrlCheck } from './security'
import { createWsRelay, forwardRelayEvents, type WsRelay } from './ws-relay'
import { FakeIpcMain, FakeWebContents, fakeRendererTransport } from '../../test-support/fake-electron'

let relay: WsRelay
let api: ParleyApi
const cleanups: (() => unknown)[] = []
const events: RelayEvent[] = []

beforeEach(() => {
  const ipc = new FakeIpcMain()
  const window = new FakeWebContents()
  relay = createWsRelay()
  // Only the relay is exercised here; the other services are never called.
  const services = { relay, appInfo: { version: 't', platform: 'linux' } } as unknown as HandlerServices
  cleanups.push(
    registerHandlers(ipc, createInvokeHandlers(services), {
      isTrustedWebContents: (id) => id === window.id,
      isTrustedUrl: createTrustedUrlCheck()
    })
  )
  cleanups.push(forwardRelayEvents(relay, window))
  api = createParleyApi(fakeRendererTransport(ipc, window, () => `${APP_ORIGIN}/`))
  cleanups.push(api.relay.onEvent((event) => events.push(event)))
})
afterEach(async () => {
  relay.closeAll()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  events.length = 0
})

async function foreign(): Promise<{ url: string; requests: IncomingMessage[]; closes: number[] }> {
  const requests: IncomingMessage[] = []
  const closes: number[] = []
  const http = createServer()
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('x.v1') ? 'x.v1' : false)
  })
  http.on('upgrade', (req, socket, head) => {
    requests.push(req)
    if (req.headers.authorization !== 'Bearer let-me-in') {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
      ws.on('close', (code) => closes.push(code))
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => http.close(resolve)))
  cleanups.push(() => http.closeAllConnections())
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`, requests, closes }
}

async function until<T>(pick: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000
  for (;;) {
    const found = pick()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error('not within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('the WebSocket relay', () => {
  it('sends custom headers, relays text and binary frames, and the chosen close code', async () => {
    const server = await foreign()
    await api.relay.open({
      id: 'a',
      url: server.url,
      protocols: ['x.v1'],
      headers: { Authorization: 'Bearer let-me-in', 'X-Trace': '42' }
    })
    const opened = await until(() => events.find((e) => e.type === 'open'))
    expect(opened).toMatchObject({ id: 'a', protocol: 'x.v1' })
    expect(server.requests[0]?.headers['x-trace']).toBe('42')

    await api.relay.send({ id: 'a', payload: { kind: 'text', data: 'hé' } })
    await api.relay.send({
      id: 'a',
      payload: { kind: 'binary', data: Buffer.from([0xde, 0xad]).toString('base64') }
    })
    const messages = await until(() => {
      const found = events.filter((e) => e.type === 'message')
      return found.length === 2 ? found : undefined
    })
    expect(messages.map((m) => m.type === 'message' && m.payload)).toEqual([
      { kind: 'text', data: 'hé' },
      { kind: 'binary', data: '3q0=' }
    ])
    await api.relay.close({ id: 'a', code: 4002, reason: 'bye' })
    expect(await until(() => events.find((e) => e.type === 'close'))).toMatchObject({
      code: 4002,
      wasClean: true
    })
    expect(await until(() => server.closes[0])).toBe(4002)
  })

  it('reports a refused handshake with its HTTP status, and refuses handshake headers', async () => {
    const server = await foreign()
    await api.relay.open({ id: 'b', url: server.url, protocols: [], headers: {} })
    const closed = await until(() => events.find((e) => e.type === 'close'))
    expect(closed).toMatchObject({ code: 1006, reason: expect.stringContaining('HTTP 401') })
    await expect(
      api.relay.open({ id: 'c', url: server.url, protocols: [], headers: { 'Sec-WebSocket-Key': 'x' } })
    ).rejects.toMatchObject({ code: 'invalid_payload' })
    await expect(api.relay.send({ id: 'nope', payload: { kind: 'text', data: 'x' } })).rejects.toMatchObject({
      code: 'relay_refused'
    })
  })
})
