import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import type { KeyValueStorage } from '../store/preferences-local'
import { createWsClientStore } from './ws-client-store'

function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>()
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) }
}

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function echoServer(): Promise<{ url: string; received: string[] }> {
  const received: string[] = []
  const peers: ServerSocket[] = []
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws) => {
    peers.push(ws)
    ws.on('message', (data, isBinary) => {
      received.push(isBinary ? `binary:${(data as Buffer).toString('hex')}` : (data as Buffer).toString())
      ws.send(data, { binary: isBinary })
    })
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())))
  cleanups.push(() => peers.forEach((p) => p.terminate()))
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, received }
}

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('the WebSocket client store', () => {
  it('keeps named connections and saved messages across a reload', () => {
    const storage = memoryStorage()
    const first = createWsClientStore({ storage })
    const id = first.getState().addConnection({ name: 'echo', url: 'ws://127.0.0.1:1/', protocols: 'a, b' })
    first.getState().configure(id, { autoReconnect: true })
    first.getState().saveTemplate({ name: 'ping', mode: 'text', body: '{"type":"ping"}' })

    const reloaded = createWsClientStore({ storage }).getState()
    expect(reloaded.connections.map((c) => [c.name, c.url, c.protocols, c.autoReconnect])).toEqual([
      ['Connection 1', 'ws://localhost:8080/', '', false],
      ['echo', 'ws://127.0.0.1:1/', 'a, b', true]
    ])
    // The web client has no relay: headers are refused with the reason, not silently dropped.
    reloaded.configure(id, { headers: 'Authorization: Bearer x' })
    expect(reloaded.open(id)).toMatch(/A browser cannot send request headers/)
    reloaded.configure(id, { headers: 'Sec-WebSocket-Key: x' })
    expect(reloaded.open(id)).toMatch(/belongs to the WebSocket handshake/)
    expect(reloaded.templates).toEqual([{ name: 'ping', mode: 'text', body: '{"type":"ping"}' }])
  })

  it('exports a capture, imports it as a new connection and replays its sent frames', async () => {
    const server = await echoServer()
    const store = createWsClientStore({ storage: memoryStorage() })
    const id = store.getState().addConnection({ name: 'capture', url: server.url })
    cleanups.push(() => store.getState().removeConnection(id))
    expect(store.getState().open(id)).toBeNull()
    await waitFor(() => store.getState().session(id).state === 'open')
    store.getState().send(id, { kind: 'text', text: 'one' })
    store.getState().send(id, { kind: 'binary', bytes: new Uint8Array([1, 2]) })
    await waitFor(() => store.getState().session(id).frames.size === 4)
    const exported = store.getState().exportSession(id)

    expect(store.getState().importSession('{"nope":1}')).toMatch(/Not a session/)
    expect(store.getState().importSession(exported)).toBeNull()
    const copy = store.getState().connections.at(-1)!
    cleanups.push(() => store.getState().removeConnection(copy.id))
    expect(copy.name).toBe('capture (imported)')
    expect(store.getState().replay(copy.id)).toMatch(/Open the connection first/)
    store.getState().open(copy.id)
    await waitFor(() => store.getState().session(copy.id).state === 'open')
    expect(store.getState().replay(copy.id)).toBeNull()
    await waitFor(() => server.received.length === 4)
    expect(server.received).toEqual(['one', 'binary:0102', 'one', 'binary:0102'])
  })
})
