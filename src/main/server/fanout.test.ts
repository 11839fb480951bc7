import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { createFrame, rawFramingAvailable, sendFrame } from './fanout'

let wss: WebSocketServer | undefined
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate()
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()))
  wss = undefined
})

/** A real ws server and client pair on loopback; resolves with the server side of the socket. */
async function pair(perMessageDeflate = false): Promise<{
  server: WebSocket
  received: string[]
  waitFor: (n: number) => Promise<void>
}> {
  const listening = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate })
  wss = listening
  await new Promise((resolve) => listening.once('listening', resolve))
  const port = (listening.address() as { port: number }).port
  const serverSide = new Promise<WebSocket>((resolve) => listening.once('connection', resolve))
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate })
  sockets.push(client)
  const received: string[] = []
  const waiters: (() => void)[] = []
  client.on('message', (data: Buffer, isBinary) => {
    expect(isBinary).toBe(false)
    received.push(data.toString())
    waiters.splice(0).forEach((wake) => wake())
  })
  const [server] = await Promise.all([serverSide, new Promise((resolve) => client.once('open', resolve))])
  sockets.push(server)
  const waitFor = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve))
  }
  return { server, received, waitFor }
}

describe('fan-out frames', () => {
  it('uses ws internals in this ws version (the fast path is live)', () => {
    expect(rawFramingAvailable).toBe(true)
    expect(createFrame({ a: 1 }).bytes).toBeInstanceOf(Buffer)
  })

  it('writes one prebuilt frame that the peer reads exactly like ws.send, for every length encoding', async () => {
    const { server, received, waitFor } = await pair()
    const payloads = [{ s: 'tiny' }, { s: 'x'.repeat(200) }, { s: 'é'.repeat(40_000) }, { s: '🙂' }]
    const send = vi.spyOn(server, 'send')
    for (const payload of payloads) {
      expect(sendFrame(server, createFrame(payload))).toBe(true)
      server.send(JSON.stringify(payload))
    }
    // Only the reference sends went through ws.send: the frames took the raw path.
    expect(send).toHaveBeenCalledTimes(payloads.length)
    await waitFor(payloads.length * 2)
    for (let i = 0; i < payloads.length; i++) {
      expect(received[2 * i]).toBe(JSON.stringify(payloads[i]))
      expect(received[2 * i + 1]).toBe(received[2 * i])
    }
  })

  it('shares one frame between sockets and falls back to ws.send without raw bytes', async () => {
    const first = await pair()
    const frame = createFrame({ type: 'x' })
    sendFrame(first.server, frame)
    sendFrame(first.server, { text: frame.text, bytes: undefined })
    await first.waitFor(2)
    expect(first.received).toEqual([frame.text, frame.text])
  })

  it('falls back to ws.send when permessage-deflate was negotiated', async () => {
    const { server, received, waitFor } = await pair(true)
    expect(server.extensions).toContain('permessage-deflate')
    const frame = createFrame({ type: 'compressed', text: 'z'.repeat(2000) })
    const send = vi.spyOn(server, 'send')
    sendFrame(server, frame)
    expect(send).toHaveBeenCalledOnce()
    await waitFor(1)
    expect(received).toEqual([frame.text])
  })

  it("holds a turn's frames for one write, flushes a big backlog early, and releases every cork", async () => {
    const { server, received, waitFor } = await pair()
    const socket = (server as unknown as { _socket: import('node:net').Socket })._socket
    const writes = vi.spyOn(socket, '_writeGeneric' as never)
    const small = [createFrame({ n: 1 }), createFrame({ n: 2 }), createFrame({ n: 3 })]
    for (const frame of small) sendFrame(server, frame)
    expect(socket.writableCorked).toBe(1)
    expect(writes).not.toHaveBeenCalled()
    // Over FLUSH_AT_BYTES: out at once; the next small frame corks the socket again this turn.
    sendFrame(server, createFrame({ big: 'b'.repeat(20_000) }))
    expect(socket.writableCorked).toBe(0)
    expect(writes).toHaveBeenCalledOnce()
    sendFrame(server, createFrame({ n: 4 }))
    expect(socket.writableCorked).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(socket.writableCorked).toBe(0)
    expect(writes).toHaveBeenCalledTimes(2)
    await waitFor(5)
    expect(received.map((text) => JSON.parse(text).n ?? 'big')).toEqual([1, 2, 3, 'big', 4])
  })

  it('reports a closed socket instead of writing', async () => {
    const { server } = await pair()
    server.terminate()
    expect(sendFrame(server, createFrame({}))).toBe(false)
  })
})
