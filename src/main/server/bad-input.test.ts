/**
 * Hostile and broken input from one client must never take the server down or disturb anyone
 * else. Each row is sent after a valid hello, by a `ws` client (it can send what browsers
 * cannot: invalid UTF-8 in a text frame); a bystander in the same room must keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { CloseCode } from '../../shared/close-codes'
import { joinAs, startTestServer, type TestClient, type TestServer } from './test-harness'

type Outcome = { error: string } | { close: number }
type Send = (raw: WsClient) => void

const text =
  (frame: string): Send =>
  (raw) =>
    raw.send(frame)

const rows: [string, Send, Outcome][] = [
  ['not JSON', text('hello?'), { error: 'bad_json' }],
  ['a JSON array', text('[{"type":"ping","t":1}]'), { error: 'invalid_message' }],
  ['JSON null', text('null'), { error: 'invalid_message' }],
  ['missing type', text('{"t":1}'), { error: 'invalid_message' }],
  ['non-string type', text('{"type":7}'), { error: 'invalid_message' }],
  ['unknown type', text('{"type":"__proto__"}'), { error: 'unknown_type' }],
  [
    'wrong field types',
    text('{"type":"history","room":"general","limit":"ten"}'),
    { error: 'invalid_message' }
  ],
  ['negative before', text('{"type":"history","room":"general","before":-1}'), { error: 'invalid_message' }],
  [
    'prototype pollution attempt',
    text('{"type":"ping","t":99,"__proto__":{"admin":true}}'),
    { error: 'none' }
  ],
  [
    'a 1 MB string',
    text(JSON.stringify({ type: 'send', room: 'general', text: 'x'.repeat(1_000_000) })),
    {
      close: CloseCode.MessageTooBig
    }
  ],
  [
    'invalid UTF-8',
    (raw) => raw.send(Buffer.from([0x22, 0xc3, 0x28, 0x22]), { binary: false }),
    {
      close: CloseCode.InvalidPayload
    }
  ],
  [
    'a binary frame',
    (raw) => raw.send(Buffer.from('{"type":"ping","t":1}'), { binary: true }),
    {
      close: CloseCode.UnsupportedData
    }
  ],
  [
    '10,000 messages in a burst',
    (raw) => {
      const frame = JSON.stringify({ type: 'send', room: 'general', text: 'spam' })
      for (let i = 0; i < 10_000; i++) raw.send(frame)
    },
    { close: CloseCode.RateLimited }
  ]
]

let server: TestServer
let bystander: TestClient
let speaker: TestClient

beforeAll(async () => {
  server = await startTestServer()
  bystander = (await joinAs(server.url, 'bystander')).client
  speaker = (await joinAs(server.url, 'speaker')).client
})

afterAll(async () => {
  await bystander.close()
  await speaker.close()
  await server.stop()
})

let attackerCount = 0

async function attacker(): Promise<{ raw: WsClient; next: () => Promise<{ type: string; code?: string }> }> {
  const raw = new WsClient(server.url)
  const inbox: { type: string; code?: string }[] = []
  const waiting: ((message: { type: string; code?: string }) => void)[] = []
  raw.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString())
    const waiter = waiting.shift()
    if (waiter) waiter(message)
    else inbox.push(message)
  })
  const next = () =>
    new Promise<{ type: string; code?: string }>((resolve) => {
      const queued = inbox.shift()
      if (queued) resolve(queued)
      else waiting.push(resolve)
    })
  await new Promise((resolve, reject) => {
    raw.once('open', resolve)
    raw.once('error', reject)
  })
  raw.send(JSON.stringify({ type: 'hello', nick: `attacker${++attackerCount}` }))
  while ((await next()).type !== 'joined');
  return { raw, next }
}

describe('bad input leaves the server up and the others unaffected', () => {
  it.each(rows)('%s', async (_label, send, outcome) => {
    const { raw, next } = await attacker()
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)))
    send(raw)
    if ('close' in outcome) {
      expect(await closed).toBe(outcome.close)
    } else {
      // A ping right behind the bad frame: its pong proves the connection survived.
      raw.send(JSON.stringify({ type: 'ping', t: 99 }))
      const replies = [await next()]
      if (outcome.error !== 'none') replies.push(await next())
      if (outcome.error !== 'none') expect(replies[0]).toMatchObject({ type: 'error', code: outcome.error })
      expect(replies.at(-1)).toMatchObject({ type: 'pong', t: 99 })
      raw.close()
      await closed
    }

    // The bystander still chats normally with a third client.
    const marker = `after ${_label}`
    speaker.send({ type: 'send', room: 'general', text: marker })
    let received
    do received = await bystander.next('message')
    while (received.text !== marker)
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200)
  })

  it('the bystander saw no message from any attacker', () => {
    const fromAttackers = bystander.log.filter(
      (message) => message.type === 'message' && message.from.nick.startsWith('attacker')
    )
    // The burst row may land up to rateBurst messages before the 4429; nothing else gets through.
    expect(fromAttackers.every((message) => message.type === 'message' && message.text === 'spam')).toBe(true)
    expect(fromAttackers.length).toBeLessThanOrEqual(30)
  })
})
