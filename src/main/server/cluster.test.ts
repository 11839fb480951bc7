/**
 * Several Parley servers on one real redis-server behave as one chat: in-process nodes on port 0
 * (and one CLI node in a child process, for kill -9), each test on its own key prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatMessage, ServerMessageOf } from '../../shared/protocol'
import { freePort } from '../../../test-support/free-port'
import { startTestRedis, type TestRedis } from '../../../test-support/server/redis-server'
import {
  connect,
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'
import { createChatServer } from './chat-server'

const JITI = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

let redis: TestRedis
let prefix: string
const servers: TestServer[] = []
const clients: TestClient[] = []
const children: ChildProcess[] = []
const dirs: string[] = []

beforeAll(async () => {
  redis = await startTestRedis()
})
afterAll(async () => redis.remove())
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(servers.splice(0).map((server) => server.stop()))
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function node(): Promise<TestServer> {
  const server = await startTestServer({ redis: { url: redis.url, prefix } })
  servers.push(server)
  return server
}

async function join(server: { url: string }, nick: string, extra: Record<string, unknown> = {}) {
  const joined = await joinAs(server.url, nick, extra)
  clients.push(joined.client)
  return joined
}

/** Polls `check` every 20 ms, for at most `timeoutMs`. */
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 8_000
): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Users online in the cluster as one node counts them. */
function onlineSeenBy(server: TestServer): number {
  const byNode = server.server.stats().cluster?.onlineByNode ?? {}
  return Object.values(byNode).reduce((sum, n) => sum + n, 0)
}

async function messages(client: TestClient, count: number): Promise<ChatMessage[]> {
  const got: ChatMessage[] = []
  for (let i = 0; i < count; i++) got.push(await client.next('message', 8_000))
  return got
}

describe('a cluster on one Redis', () => {
  it('delivers a message sent on any node to members on every node with one id, in one order', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const nodes = [await node(), await node(), await node()]
    const people = [await join(nodes[0]!, 'ann'), await join(nodes[1]!, 'bob'), await join(nodes[2]!, 'cy')]
    await until('every node sees 3 users online', () => nodes.every((n) => onlineSeenBy(n) === 3))

    // 3 senders × 10 messages, all in flight at once on three nodes.
    for (let i = 0; i < 10; i++) {
      people.forEach(({ client }, who) =>
        client.send({ type: 'send', room: 'general', text: `${who}:${i}`, cid: `${who}-${i}` })
      )
    }
    const seen = await Promise.all(people.map(({ client }) => messages(client, 30)))
    const reference = seen[0]!.map((m) => [m.id, m.text])
    expect(reference.map(([id]) => id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    for (const copy of seen) expect(copy.map((m) => [m.id, m.text])).toEqual(reference)
    // Each author's own messages keep their send order, and their cid goes to the author only.
    for (let who = 0; who < 3; who++) {
      expect(
        reference.filter(([, text]) => String(text).startsWith(`${who}:`)).map(([, text]) => text)
      ).toEqual(Array.from({ length: 10 }, (_, i) => `${who}:${i}`))
      for (const m of seen[who]!) expect(m.cid !== undefined).toBe(m.text.startsWith(`${who}:`))
    }

    // History and stats are the cluster's: a newcomer on node 2 gets the same log.
    const dee = await connect(nodes[1]!.url)
    clients.push(dee)
    dee.send({ type: 'hello', nick: 'dee' })
    const welcome = await dee.next('welcome')
    expect(welcome.historyEpoch).toMatch(/^e_/)
    const joined = await dee.next('joined')
    expect(joined.history.map((m) => [m.id, m.text])).toEqual(reference.slice(-joined.history.length))
    expect(joined.memberCount).toBe(4)
    await until('node 3 counts 4 online', () => onlineSeenBy(nodes[2]!) === 4)
    const stats = nodes[2]!.server.stats()
    expect(stats.messagesStored).toBe(30)
    expect(Object.keys(stats.cluster!.onlineByNode)).toHaveLength(3)
    expect(stats.cluster!.onlineByNode[stats.cluster!.node]).toBe(1)
    expect(stats.rooms.find((r) => r.name === 'general')?.members).toBe(4)
    const http = (await (await fetch(`${nodes[0]!.httpUrl}/api/stats`)).json()) as { cluster?: unknown }
    expect(http.cluster).toMatchObject({ redisConnected: true })
  })

  it('keeps replyTo, and answers unsupported to edit, delete, react and search (the Redis store has no message changes)', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const a = await node()
    const ann = await join(a, 'ann')
    const joined = ann.client.log.find((m) => m.type === 'joined')
    expect(joined).not.toHaveProperty('rev')
    ann.client.send({ type: 'send', room: 'general', text: 'question?', cid: 'q' })
    const first = await ann.client.next('message')
    ann.client.send({ type: 'send', room: 'general', text: 'answer', cid: 'a', replyTo: first.id })
    expect(await ann.client.next('message')).toMatchObject({ replyTo: first.id })
    const frames = [
      { type: 'edit', room: 'general', id: first.id, text: 'changed' },
      { type: 'delete', room: 'general', id: first.id },
      { type: 'react', room: 'general', id: first.id, emoji: '👍', on: true },
      { type: 'search', q: 'question' }
    ] as const
    for (const frame of frames) {
      ann.client.send(frame)
      expect(await ann.client.next('error')).toMatchObject({ code: 'unsupported', ref: frame.type })
    }
    expect(ann.client.queued('edited')).toEqual([])
  })

  it('refuses a nick held on another node with 4409, and delivers a DM and typing across nodes', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const [a, b] = [await node(), await node()]
    const ann = await join(a, 'ann')
    await until('node b sees ann online', () => onlineSeenBy(b) === 1)
    const impostor = await connect(b.url)
    clients.push(impostor)
    impostor.send({ type: 'hello', nick: 'ANN' })
    expect((await impostor.closed).code).toBe(4409)

    const bob = await join(b, 'bob')
    expect(bob.welcome.user.id).not.toBe(ann.welcome.user.id)
    await until('node a sees bob online', () => onlineSeenBy(a) === 2)
    // bob's session reaches node a a moment after his presence (one batched session write): the
    // same cid is retried until node a knows him, and is stored once.
    let sent: ServerMessageOf<'dm'> | undefined
    for (let attempt = 0; attempt < 50 && !sent; attempt++) {
      const from = ann.client.log.length
      ann.client.send({ type: 'dm', to: bob.welcome.user.id, text: 'across nodes', cid: 'd1' })
      const answered = () =>
        ann.client.log.slice(from).find((m) => m.type === 'dm' || (m.type === 'error' && m.ref === 'd1'))
      await until('an answer to the dm', () => answered() !== undefined)
      const answer = answered()
      if (answer?.type === 'dm') sent = answer
      else await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(sent).toMatchObject({ text: 'across nodes', cid: 'd1' })
    const got = await bob.client.next('dm')
    expect(got).toMatchObject({ text: 'across nodes', from: ann.welcome.user })
    expect(got.cid).toBeUndefined()
    bob.client.send({ type: 'typing', room: 'general' })
    expect(await ann.client.next('typing')).toMatchObject({ room: 'general', user: bob.welcome.user })

    // ann drops: her session stays resumable, so her nick stays hers on the other node too
    // (issue 19: a dropped session keeps its nick through its resume window).
    await ann.client.close()
    await until('node b sees ann gone', () => onlineSeenBy(b) === 1)
    const taker = await connect(b.url)
    clients.push(taker)
    taker.send({ type: 'hello', nick: 'ann' })
    expect((await taker.closed).code).toBe(4409)
  })

  it('resumes on another node after kill -9 of the first, with exactly the missed messages', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const dir = await mkdtemp(joinPath(tmpdir(), 'parley-cluster-'))
    dirs.push(dir)
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        JITI,
        CLI,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data',
        dir,
        '--no-static',
        '--log-level',
        'warn'
      ],
      {
        env: { ...process.env, PARLEY_REDIS_URL: redis.url, PARLEY_REDIS_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    children.push(child)
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`CLI did not listen: ${out}`)), 30_000)
      child.stdout!.on('data', (data: Buffer) => {
        out += data.toString()
        const match = /ws:\/\/127\.0\.0\.1:\d+\/ws/.exec(out)
        if (match) {
          clearTimeout(timer)
          resolve(match[0])
        }
      })
      child.stderr!.on('data', (data: Buffer) => (out += data.toString()))
    })
    const b = await node()
    const ann = await join({ url }, 'ann')
    const bob = await join(b, 'bob')
    bob.client.send({ type: 'send', room: 'general', text: 'seen by ann' })
    const last = await ann.client.next('message', 8_000)
    await bob.client.next('message')

    child.kill('SIGKILL')
    await ann.client.closed
    const missed: string[] = []
    for (let i = 1; i <= 4; i++) {
      bob.client.send({ type: 'send', room: 'general', text: `missed ${i}` })
      missed.push((await bob.client.next('message')).text)
    }

    const back = await connect(b.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: ann.welcome.session, resume: { general: last.id } })
    const welcome: ServerMessageOf<'welcome'> = await back.next('welcome')
    expect(welcome).toMatchObject({ resumed: true, user: ann.welcome.user })
    const joined = await back.next('joined')
    expect(joined.history.map((m) => m.text)).toEqual(missed)
    expect(joined.history.map((m) => m.id)).toEqual([last.id + 1, last.id + 2, last.id + 3, last.id + 4])
  })

  it('refuses sends with store_unavailable while Redis is down, keeps the sockets, and recovers with the AOF', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const [a, b] = [await node(), await node()]
    const ann = await join(a, 'ann')
    const bob = await join(b, 'bob')
    await until('both nodes see 2 online', () => onlineSeenBy(a) === 2 && onlineSeenBy(b) === 2)
    const acked: ChatMessage[] = []
    for (let i = 1; i <= 3; i++) {
      ann.client.send({ type: 'send', room: 'general', text: `kept ${i}`, cid: `k${i}` })
      acked.push(await ann.client.next('message'))
    }
    await messages(bob.client, 3)
    const epoch = a.server.stats().cluster!.epoch

    await redis.stop('SIGKILL')
    await until('node a knows Redis is down', () => a.server.stats().cluster?.redisConnected === false)
    ann.client.send({ type: 'send', room: 'general', text: 'while down', cid: 'w1' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'store_unavailable', ref: 'w1' })
    expect(ann.client.ws.readyState).toBe(WebSocket.OPEN)
    expect(bob.client.ws.readyState).toBe(WebSocket.OPEN)

    await redis.start()
    await until('both nodes reconnected', () =>
      [a, b].every((n) => n.server.stats().cluster?.redisConnected === true)
    )
    ann.client.send({ type: 'send', room: 'general', text: 'while down', cid: 'w1' })
    const resent = await ann.client.next('message', 8_000)
    expect(resent).toMatchObject({ id: acked.at(-1)!.id + 1, text: 'while down' })
    expect(await bob.client.next('message', 8_000)).toMatchObject({ id: resent.id, text: 'while down' })
    expect(a.server.stats().cluster!.epoch).toBe(epoch)

    // A node started after the restart reads every acknowledged message back from the AOF.
    const c = await node()
    const cy = await join(c, 'cy')
    expect(cy.welcome.historyEpoch).toBe(epoch)
    expect(cy.client.log.find((m) => m.type === 'joined')).toMatchObject({
      history: [...acked, resent].map(({ id, text }) => ({ id, text }))
    })
  })

  it('starts a new epoch when Redis lost its data, so a client can tell a reset log from no news', async () => {
    prefix = `c_${randomBytes(4).toString('hex')}:`
    const a = await node()
    const ann = await join(a, 'ann')
    for (let i = 1; i <= 2; i++) {
      ann.client.send({ type: 'send', room: 'general', text: `old ${i}`, cid: `o${i}` })
      await ann.client.next('message')
    }
    const before = ann.welcome.historyEpoch
    const admin = createClient({ url: redis.url })
    await admin.connect()
    try {
      await admin.flushAll()
    } finally {
      await admin.close()
    }
    await until('node a noticed the reset', () => a.server.stats().cluster?.epoch !== before, 8_000)
    const bob = await join(a, 'bob')
    expect(bob.welcome.historyEpoch).not.toBe(before)
    ann.client.send({ type: 'send', room: 'general', text: 'new log', cid: 'n1' })
    expect(await ann.client.next('message', 8_000)).toMatchObject({ id: 1, text: 'new log' })
  })

  it('refuses to start, in one sentence, when Redis cannot be reached', async () => {
    const dataDir = await mkdtemp(joinPath(tmpdir(), 'parley-cluster-'))
    dirs.push(dataDir)
    const server = createChatServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      redis: { url: `redis://127.0.0.1:${await freePort()}` }
    })
    await expect(server.listen()).rejects.toThrow(
      /^Could not reach Redis at redis:\/\/127\.0\.0\.1:\d+ within 5 s\.$/
    )
    expect(server.state).toBe('closed')
  })
})
