/**
 * What the Redis store adds to the Store contract: several stores (nodes) on one Redis share
 * one id sequence per room and see one order, and a gap in what a node was published is filled
 * from the Stream. Against a real redis-server.
 */
import { randomBytes } from 'node:crypto'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatMessage, User } from '../../shared/protocol'
import { startTestRedis, type TestRedis } from '../../../test-support/server/redis-server'
import { appendMessage } from '../../../test-support/server/store-contract'
import { openRedisStore, type RedisStore, type RemoteAppend } from './redis-store'

const ann: User = { id: 'u_ann', nick: 'ann' }
const bob: User = { id: 'u_bob', nick: 'bob' }

let redis: TestRedis
const stores: RedisStore[] = []
beforeAll(async () => {
  redis = await startTestRedis()
})
afterAll(async () => redis.remove())
afterEach(() => {
  for (const store of stores.splice(0)) store.close()
})

async function nodes(count: number, prefix = `s_${randomBytes(4).toString('hex')}:`): Promise<RedisStore[]> {
  const opened = await Promise.all(
    Array.from({ length: count }, () => openRedisStore({ url: redis.url, prefix }))
  )
  stores.push(...opened)
  return opened
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('Redis store across nodes', () => {
  it('gives concurrent appends on three nodes one id sequence, and every node the same log', async () => {
    const [a, b, c] = await nodes(3)
    const remote = new Map<RedisStore, RemoteAppend[]>([a!, b!, c!].map((s) => [s, []]))
    for (const store of [a!, b!, c!]) store.onRemoteAppend((event) => remote.get(store)!.push(event))
    a!.ensureRoom('general')
    const sends: Promise<ChatMessage>[] = []
    for (let i = 0; i < 30; i++)
      sends.push(appendMessage([a!, b!, c!][i % 3]!, 'general', i % 2 ? ann : bob, `m${i}`))
    const stored = await Promise.all(sends)
    expect(stored.map((m) => m.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    await until('every mirror has 30', () => [a!, b!, c!].every((s) => s.counts().messages === 30))
    const log = a!.page('general', 100).messages
    for (const store of [b!, c!]) expect(store.page('general', 100).messages).toEqual(log)
    // Each node was told of the 20 the others stored, in id order.
    for (const events of remote.values()) {
      const ids = events.map((e) => (e.kind === 'message' ? e.message.id : -1))
      expect(ids).toHaveLength(20)
      expect([...ids].sort((x, y) => x - y)).toEqual(ids)
      expect(new Set(ids).size).toBe(20)
    }
  })

  it('fills a gap in what it was published from the Stream, and applies in id order', async () => {
    const prefix = `s_${randomBytes(4).toString('hex')}:`
    const [a] = await nodes(1, prefix)
    a!.ensureRoom('general')
    await appendMessage(a!, 'general', ann, 'one')
    // Another writer stores id 2 without publishing it (as if its PUBLISH was lost)...
    const raw = createClient({ url: redis.url })
    await raw.connect()
    try {
      expect(await raw.incr(`${prefix}room:general:seq`)).toBe(2)
      const body = JSON.stringify({ from: bob, text: 'two', ts: Date.now() })
      await raw.xAdd(`${prefix}room:general:log`, '2-1', { m: body, n: 'n_gone', r: '0' })
    } finally {
      await raw.close()
    }
    // ...then another node stores 3, which is published: node a holds 3 until it has read 2.
    const [b] = await nodes(1, prefix)
    const remote: number[] = []
    a!.onRemoteAppend((event) => event.kind === 'message' && remote.push(event.message.id))
    expect((await appendMessage(b!, 'general', bob, 'three')).id).toBe(3)
    await until('node a has all three', () => a!.counts().messages === 3)
    expect(a!.page('general', 10).messages.map((m) => [m.id, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three']
    ])
    expect(remote).toEqual([2, 3])
  })
})
