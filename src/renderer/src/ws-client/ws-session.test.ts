// Against a real `ws` server on loopback, through Node 22's WebSocket (the same WHATWG API the
// browser gives the page): the session must work with any server, not just Parley.
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { fromBase64 } from './binary-payload'
import { checkSocketUrl, parseProtocols, WsSession, type WsSessionEvent } from './ws-session'

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function foreignServer(): Promise<{ url: string; peers: ServerSocket[]; offered: string[][] }> {
  const offered: string[][] = []
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => {
      offered.push([...protocols])
      return protocols.has('echo.v2') ? 'echo.v2' : false
    }
  })
  const peers: ServerSocket[] = []
  wss.on('connection', (ws) => {
    peers.push(ws)
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())))
  cleanups.push(() => peers.forEach((p) => p.terminate()))
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/echo`, peers, offered }
}

function session(url: string, protocols: string[] = [], autoReconnect = false) {
  const s = new WsSession({ url, protocols, autoReconnect })
  const events: WsSessionEvent[] = []
  s.subscribe((event) => events.push(event))
  cleanups.push(() => s.dispose())
  return { s, events }
}

function until<T>(events: WsSessionEvent[], pick: (e: WsSessionEvent) => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const e of events) {
        const found = pick(e)
        if (found !== undefined) return resolve(found)
      }
      if (Date.now() > deadline) return reject(new Error('event did not arrive within 5 s'))
      setTimeout(check, 10)
    }
    check()
  })
}

describe('WsSession against a foreign server', () => {
  it('offers subprotocols, reports the chosen one, and echoes text and binary frames', async () => {
    const server = await foreignServer()
    const { s, events } = session(server.url, ['chat.v1', 'echo.v2'])
    expect(s.open()).toBeNull()
    const facts = await until(events, (e) => (e.type === 'handshake' ? e.facts : undefined))
    expect(server.offered).toEqual([['chat.v1', 'echo.v2']])
    expect(facts.protocol).toBe('echo.v2')

    expect(s.send({ kind: 'text', text: '{"hi":"é"}' })).toBeNull()
    expect(s.send({ kind: 'binary', bytes: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) })).toBeNull()
    await until(events, () => (s.frames.size === 4 ? true : undefined))
    const frames = s.frames.toArray()
    expect(frames.map((f) => [f.dir, f.opcode, f.size])).toEqual([
      ['out', 'text', 11],
      ['out', 'binary', 4],
      ['in', 'text', 11],
      ['in', 'binary', 4]
    ])
    expect(frames[2]?.data).toBe('{"hi":"é"}')
    expect(Array.from(fromBase64(frames[3]?.data ?? ''))).toEqual([0xde, 0xad, 0xbe, 0xef])
  })

  it('sends the chosen close code, and refuses the ones the browser would', async () => {
    const server = await foreignServer()
    const { s, events } = session(server.url)
    s.open()
    await until(events, (e) => (e.type === 'handshake' ? true : undefined))
    const seen = new Promise<[number, string]>((resolve) =>
      server.peers[0]?.once('close', (code, reason) => resolve([code, reason.toString()]))
    )
    expect(s.close(1001, 'no')).toMatch(/only let a page close with 1000 or a code from 3000 to 4999/)
    expect(s.close(4321, 'done testing')).toBeNull()
    expect(await seen).toEqual([4321, 'done testing'])
    const row = await until(events, (e) => (e.type === 'close' ? e.row : undefined))
    expect(row).toMatchObject({ code: 4321, by: 'client', name: 'Private use (4000–4999)' })
  })

  it('explains a server close and reconnects when asked to', async () => {
    const server = await foreignServer()
    const { s, events } = session(server.url, [], true)
    s.open()
    await until(events, (e) => (e.type === 'handshake' ? true : undefined))
    server.peers[0]?.close(1012, 'restarting')
    const row = await until(events, (e) => (e.type === 'close' ? e.row : undefined))
    expect(row).toMatchObject({ code: 1012, reason: 'restarting', by: 'server', name: 'Service Restart' })
    await until(events, (e) => (e.type === 'reconnect' ? true : undefined))
    await until(events, () => (server.peers.length === 2 && s.state === 'open' ? true : undefined))
  })

  it('refuses what new WebSocket() would throw on, with a sentence', () => {
    expect(checkSocketUrl('http://example.com')).toMatch(/starts with ws:\/\/ or wss:\/\//)
    expect(checkSocketUrl('ws://x/#frag')).toMatch(/fragment/)
    expect(checkSocketUrl('ws://localhost:1/')).toBeNull()
    expect(parseProtocols(' a, b ,,c ')).toEqual(['a', 'b', 'c'])
    const { s } = session('ws://127.0.0.1:9/', ['bad protocol'])
    expect(s.open()).toMatch(/refused to open it/)
  })
})
