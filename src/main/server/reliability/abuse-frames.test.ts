/**
 * Hostile framing against a real server: floods of tiny fragments, and a client that stops
 * reading while its room is busy. The bystanders must not notice either.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../../shared/close-codes'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../../test-support/server/test-harness'
import {
  clientFrame,
  closeCodeOf,
  createFrameReader,
  Opcode,
  rawWebSocket,
  type ServerFrame
} from '../../../../test-support/server/raw-socket'

let server: TestServer | undefined
const clients: TestClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close()
  await server?.stop()
  server = undefined
})

async function bystander(name: string): Promise<TestClient> {
  const { client } = await joinAs(server!.url, name)
  clients.push(client)
  return client
}

describe('frame abuse', () => {
  for (const size of [0, 1]) {
    it(`closes a connection that floods ${size}-byte fragments, and others carry on`, async () => {
      server = await startTestServer()
      const healthy = await bystander('healthy')
      const { socket, frames, closed } = await rawWebSocket(server.port)
      const fragment = clientFrame(Opcode.Continuation, Buffer.alloc(size, 0x61), false)
      // 40,000 fragments of one never-ending text message, written in batches.
      socket.write(clientFrame(Opcode.Text, Buffer.alloc(size, 0x61), false))
      for (let batch = 0; batch < 40 && !socket.destroyed; batch++) {
        socket.write(Buffer.concat(Array.from({ length: 1000 }, () => fragment)))
        await new Promise((r) => setImmediate(r))
      }
      await closed
      expect(closeCodeOf(frames)).toBe(CloseCode.PolicyViolation) // ws: "Too many message fragments"
      healthy.send({ type: 'ping', t: 1 })
      expect((await healthy.next('pong')).t).toBe(1)
      expect(server.server.stats().connections).toBe(1)
    })
  }

  it('closes a client that stops reading at the 1 MiB buffer cap with 1013, without slowing the room', async () => {
    // Big texts and a loose rate limit only so the flood is quick; the buffer cap is the real one.
    server = await startTestServer({
      limits: { maxTextLength: 60_000, rateBurst: 100_000, ratePerSecond: 100_000 }
    })
    const { socket, frames: helloFrames, closed } = await rawWebSocket(server.port)
    socket.write(clientFrame(Opcode.Text, JSON.stringify({ type: 'hello', nick: 'stalled' })))
    // Read until it is in the room (welcome, then joined general); only then stop reading. A fixed
    // sleep could stop it before the hello completed, and nothing would ever close it.
    const isJoined = (frame: ServerFrame) =>
      frame.opcode === Opcode.Text && JSON.parse(frame.payload.toString()).type === 'joined'
    await expect.poll(() => helloFrames.some(isJoined), { timeout: 5000 }).toBe(true)
    socket.pause()
    socket.removeAllListeners('data')

    const healthy = await bystander('healthy')
    const sender = await bystander('sender')
    const text = 'x'.repeat(60_000)
    const total = 300 // 18 MB, many times what the kernel buffers plus the 1 MiB cap can hold
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'send', room: 'general', text, cid: `m${i}` })
      // Paced by the sender's own acknowledgement: a well-behaved client.
      const ack = await sender.next('message', 5000)
      expect(ack.cid).toBe(`m${i}`)
    }
    // Every bystander got every message, in order, while the stalled client was cut off.
    const got = healthy.queued('message')
    expect(got).toHaveLength(total)
    expect(got.map((m) => m.id)).toEqual([...got.map((m) => m.id)].sort((a, b) => a - b))

    // Reading again, the stalled client finds far less than the flood, then a 1013 close.
    const frames: ServerFrame[] = []
    socket.on(
      'data',
      createFrameReader((frame) => {
        frames.push(frame)
        // Answer the close like any client would, so the server need not wait out its close timeout.
        if (frame.opcode === Opcode.Close) socket.end(clientFrame(Opcode.Close, frame.payload))
      })
    )
    socket.resume()
    await closed
    const delivered = frames.filter((f) => f.opcode === Opcode.Text).length
    expect(closeCodeOf(frames)).toBe(CloseCode.TryAgainLater)
    expect(delivered).toBeLessThan(total)
  }, 60_000)
})
