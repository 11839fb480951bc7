/**
 * fast-check against a live server: random text frames (garbage, near-misses, valid messages),
 * binary frames and invalid UTF-8, in random orders, with or without a hello first. The server
 * must stay up, answer every frame with valid protocol, and close only with documented codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { SERVER_CLOSE_CODES } from '../../../shared/close-codes'
import { SUBPROTOCOL, parseServerMessage } from '../../../shared/protocol'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../../test-support/server/test-harness'
import { anyTextFrame, nick, validAfterHello } from '../../../../test-support/server/protocol-arbitraries'

/** Codes a Parley server may send (the documented list); anything else on the wire is a defect. */
const DOCUMENTED = new Set<number>(SERVER_CLOSE_CODES)

type Frame =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'badUtf8'; data: Uint8Array }

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 4, arbitrary: anyTextFrame.map((data) => ({ kind: 'text' as const, data })) },
  { weight: 4, arbitrary: validAfterHello.map((m) => ({ kind: 'text' as const, data: JSON.stringify(m) })) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((data) => ({ kind: 'binary' as const, data }))
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(new Uint8Array([0xc3, 0x28]), new Uint8Array([0xff, 0xfe, 0x7b]))
      .map((data) => ({ kind: 'badUtf8' as const, data }))
  }
)

interface Outcome {
  replies: string[]
  closeCode?: number
}

let server: TestServer
let sentinel: TestClient
let runs = 0

beforeAll(async () => {
  server = await startTestServer()
  ;({ client: sentinel } = await joinAs(server.url, 'sentinel'))
})
afterAll(async () => {
  await sentinel.close()
  await server.stop()
})

function play(helloFirst: string | undefined, frames: Frame[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url, [SUBPROTOCOL], { perMessageDeflate: false })
    const outcome: Outcome = { replies: [] }
    // The final ping's `t`, unique per run: its pong ends the run.
    const marker = 1_000_000 + ++runs
    const timer = setTimeout(() => {
      ws.terminate()
      reject(
        new Error(`no answer to the final ping within 5 s after ${JSON.stringify(frames).slice(0, 300)}`)
      )
    }, 5000)
    ws.on('error', () => {})
    ws.on('message', (data: Buffer) => {
      const text = data.toString()
      outcome.replies.push(text)
      if (isPong(text, marker)) ws.close(1000)
    })
    ws.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 1000 || !outcome.replies.some((r) => isPong(r, marker))) outcome.closeCode = code
      resolve(outcome)
    })
    ws.on('open', () => {
      if (helloFirst !== undefined)
        ws.send(JSON.stringify({ type: 'hello', nick: `${helloFirst.trim().slice(0, 20)}#${runs}` }))
      for (const f of frames) {
        if (ws.readyState !== WebSocket.OPEN) break
        if (f.kind === 'text') ws.send(f.data)
        else ws.send(f.data, { binary: f.kind === 'binary' })
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping', t: marker }))
    })
  })
}

function isPong(text: string, t: number): boolean {
  const parsed = parseServerMessage(text)
  return parsed.ok && parsed.value.type === 'pong' && parsed.value.t === t
}

describe('a live server under fuzzing', () => {
  it('stays up, replies with valid protocol and closes only with documented codes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(nick, { nil: undefined }),
        fc.array(frame, { maxLength: 12 }),
        async (hello, frames) => {
          const outcome = await play(hello, frames)
          for (const reply of outcome.replies) {
            const parsed = parseServerMessage(reply)
            expect(parsed.ok, `invalid reply: ${reply.slice(0, 300)}`).toBe(true)
          }
          if (outcome.closeCode !== undefined)
            expect(DOCUMENTED.has(outcome.closeCode), `close code ${outcome.closeCode}`).toBe(true)
          // The server is still up, and still answering someone who behaved (within their rate limit).
          expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200)
          if (runs % 10 === 0) {
            sentinel.send({ type: 'ping', t: runs })
            expect((await sentinel.next('pong')).t).toBe(runs)
          }
        }
      ),
      { numRuns: 150 }
    )
    expect(server.server.state).toBe('listening')
  }, 120_000)
})
