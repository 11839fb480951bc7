/**
 * Hostile and broken input from one client must never take the server down or disturb anyone
 * else. Each row is sent after a valid hello, by a `ws` client (it can send what browsers
 * cannot: invalid UTF-8 in a text frame); a bystander in the same room must keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { CloseCode } from '../../shared/close-codes'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

/** An error reply, a close, or (for frames that are valid after all) the reply they earn. */
type Outcome = { error: string } | { close: number } | { reply: Record<string, unknown> }
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
    text('{"type":"ping","t":99,"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'),
    { reply: { type: 'pong', t: 99 } }
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
    'edit of a message that does not exist',
    text('{"type":"edit","room":"general","id":987654,"text":"x"}'),
    { error: 'no_such_message' }
  ],
  [
    'edit with a fractional id',
    text('{"type":"edit","room":"general","id":1.5,"text":"x"}'),
    { error: 'invalid_message' }
  ],
  [
    'edit with an empty text',
    text('{"type":"edit","room":"general","id":1,"text":""}'),
    { error: 'invalid_message' }
  ],
  [
    'delete in a room not joined',
    text('{"type":"delete","room":"elsewhere","id":1}'),
    { error: 'not_in_room' }
  ],
  [
    'react with a space in the emoji',
    text('{"type":"react","room":"general","id":1,"emoji":"a b","on":true}'),
    { error: 'invalid_message' }
  ],
  [
    'react without on',
    text('{"type":"react","room":"general","id":1,"emoji":"👍"}'),
    { error: 'invalid_message' }
  ],
  [
    'react with a 1,000-character emoji',
    text(JSON.stringify({ type: 'react', room: 'general', id: 1, emoji: 'x'.repeat(1000), on: true })),
    { error: 'emoji_too_long' }
  ],
  [
    'a reply to a message that does not exist',
    text('{"type":"send","room":"general","text":"re","replyTo":987654}'),
    { error: 'no_such_message' }
  ],
  ['search without q', text('{"type":"search"}'), { error: 'invalid_message' }],
  ['search with an empty q', text('{"type":"search","q":""}'), { error: 'invalid_message' }],
  [
    'search with a bad room name',
    text('{"type":"search","q":"x","room":"NO SUCH"}'),
    { error: 'invalid_room' }
  ],
  [
    'search with a 10,000-character query',
    text(JSON.stringify({ type: 'search', q: 'x '.repeat(5000) })),
    { error: 'query_too_long' }
  ],
  [
    'search with FTS syntax',
    text('{"type":"search","q":"\\" OR * NEAR( NOT ^col:x"}'),
    { reply: { type: 'search', results: [], hasMore: false } }
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
// The server runs in this process, so a polluted prototype would show up right here.
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort()
let probes = 0
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
      // A ping right behind the bad frame, with a `t` no row uses: its pong proves the connection
      // survived, and that the reply before it was the row's own.
      const probe = 1_000_000 + ++probes
      raw.send(JSON.stringify({ type: 'ping', t: probe }))
      const first = await next()
      if ('error' in outcome) expect(first).toMatchObject({ type: 'error', code: outcome.error })
      else expect(first).toMatchObject(outcome.reply)
      expect(await next()).toMatchObject({ type: 'pong', t: probe })
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
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys)
    expect(({} as { admin?: unknown }).admin).toBeUndefined()
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
