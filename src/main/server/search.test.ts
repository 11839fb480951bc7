/**
 * `search` over a real socket and the SQLite FTS5 index: by word and prefix, only in the rooms
 * the searcher is in and their own DMs, edits and deletions reflected, limits answered.
 */
import { describe, expect, it } from 'vitest'
import { searchWords } from './hub/search'
import {
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const { clients, join } = serverTestFixture(() => server)

async function own(client: TestClient, room: string, text: string) {
  const cid = `c${Math.random()}`
  client.send({ type: 'send', room, text, cid })
  for (let i = 0; i < 50; i++) {
    const m = await client.next('message')
    if (m.cid === cid) return m
  }
  throw new Error('no copy')
}

async function search(client: TestClient, q: string, room?: string) {
  client.send({ type: 'search', q, ...(room ? { room } : {}) })
  return client.next('search')
}

describe('search', () => {
  it('finds words and prefixes, newest first, in my rooms and my DMs only', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    const bob = await join('bob')
    ann.client.send({ type: 'join', room: 'secret' })
    await ann.client.next('joined')
    await own(ann.client, 'general', 'The deploy is on Friday')
    await own(ann.client, 'general', 'deployment moved to Monday')
    await own(ann.client, 'secret', 'deploy keys are in the vault')
    await own(ann.client, 'general', 'Café crème for everyone')
    ann.client.send({ type: 'dm', to: bob.welcome.user.id, text: 'can you deploy tonight?', cid: 'd1' })
    await ann.client.next('dm')

    const mine = await search(ann.client, 'deploy')
    expect(mine.results.map((m) => m.text)).toEqual([
      'deploy keys are in the vault',
      'deployment moved to Monday',
      'The deploy is on Friday'
    ])
    expect(mine.dms?.map((d) => d.text)).toEqual(['can you deploy tonight?'])
    expect(mine.hasMore).toBe(false)

    // Bob is not in #secret: its message never reaches him. The DM is his too.
    const his = await search(bob.client, 'DEPLOY')
    expect(his.results.map((m) => m.room)).toEqual(['general', 'general'])
    expect(his.dms).toHaveLength(1)
    // Every word must match; accents fold; one room only.
    expect((await search(ann.client, 'deploy friday')).results).toHaveLength(1)
    expect((await search(ann.client, 'cafe creme')).results[0]?.text).toBe('Café crème for everyone')
    const inSecret = await search(ann.client, 'deploy', 'secret')
    expect(inSecret.results.map((m) => m.room)).toEqual(['secret'])
    expect(inSecret.dms).toEqual([])
    // Search syntax typed by a person is just words.
    expect((await search(ann.client, '"deploy" OR NOT * NEAR(')).results).toHaveLength(0)
    expect((await search(ann.client, '???')).results).toEqual([])
  })

  it('follows edits and deletions, and keeps the index across a restart', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    const a = await own(ann.client, 'general', 'original wording')
    const b = await own(ann.client, 'general', 'regrettable wording')
    ann.client.send({ type: 'edit', room: 'general', id: a.id, text: 'revised phrasing' })
    ann.client.send({ type: 'delete', room: 'general', id: b.id })
    await ann.client.next('edited')
    await ann.client.next('deleted')
    expect((await search(ann.client, 'wording')).results).toEqual([])
    expect((await search(ann.client, 'revised')).results).toMatchObject([
      { id: a.id, editedAt: expect.any(Number) }
    ])
    ann.client.send({ type: 'react', room: 'general', id: a.id, emoji: '👍', on: true })
    await ann.client.next('reactions')
    expect((await search(ann.client, 'phrasing')).results).toHaveLength(1)

    await Promise.all(clients.splice(0).map((c) => c.close()))
    server = await restartTestServer(server)
    const back = await join('ann2')
    expect((await search(back.client, 'revised')).results).toHaveLength(1)
  })

  it('caps results with hasMore; refuses a long query and a room not joined', async () => {
    server = await startTestServer({ limits: { searchResultsMax: 3, maxSearchLength: 20 } })
    const ann = await join('ann')
    for (let i = 0; i < 5; i++) await own(ann.client, 'general', `needle ${i}`)
    const page = await search(ann.client, 'needle')
    expect(page.results.map((m) => m.text)).toEqual(['needle 4', 'needle 3', 'needle 2'])
    expect(page.hasMore).toBe(true)
    ann.client.send({ type: 'search', q: 'x'.repeat(21) })
    expect(await ann.client.next('error')).toMatchObject({ code: 'query_too_long', ref: 'search' })
    ann.client.send({ type: 'search', q: 'needle', room: 'elsewhere' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'not_in_room', ref: 'search' })
  })
})

describe('searchWords', () => {
  it('keeps letters and digits, lower-cased, at most 8 words', () => {
    expect(searchWords('Hello, "World" 42 — naïve')).toEqual(['hello', 'world', '42', 'naïve'])
    expect(searchWords('a b c d e f g h i j')).toHaveLength(8)
  })
})
