import { describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { DM_RESUME_KEY } from '../../shared/protocol'
import {
  connect,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const { clients, join } = serverTestFixture(() => server)

/** A session whose socket is cut without a close frame, as when Wi-Fi drops. */
async function droppedSession(nick: string): Promise<{ session: string; userId: string; lastSeen: number }> {
  const raw = new WsClient(server.url)
  const welcome = await new Promise<{ session: string; user: { id: string } }>((resolve, reject) => {
    raw.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString())
      if (message.type === 'welcome') resolve(message)
    })
    raw.once('open', () => raw.send(JSON.stringify({ type: 'hello', nick })))
    raw.once('error', reject)
  })
  const closed = new Promise((resolve) => raw.once('close', resolve))
  raw.terminate()
  await closed
  return { session: welcome.session, userId: welcome.user.id, lastSeen: 0 }
}

describe('resume across a dropped socket', () => {
  it('replays exactly the missed room messages and DMs, once, and restores presence', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const ann = await join('ann')
    await bob.client.next('presence')
    ann.client.send({ type: 'send', room: 'general', text: 'before', cid: 'b' })
    const seen = await ann.client.next('message')
    await bob.client.next('message')

    // Cut ann's socket: bob sees her leave at once.
    await ann.client.close(4000, 'network went away')
    expect(await bob.client.next('presence')).toMatchObject({ event: 'leave', user: ann.welcome.user })

    for (let i = 1; i <= 5; i++) bob.client.send({ type: 'send', room: 'general', text: `missed ${i}` })
    for (let i = 1; i <= 5; i++) await bob.client.next('message')
    bob.client.send({ type: 'dm', to: ann.welcome.user.id, text: 'while you were away' })
    const dm = await bob.client.next('dm')

    const back = await connect(server.url)
    clients.push(back)
    back.send({
      type: 'hello',
      nick: 'ann',
      session: ann.welcome.session,
      resume: { general: seen.id, [DM_RESUME_KEY]: 0 }
    })
    const welcome = await back.next('welcome')
    expect(welcome).toMatchObject({ resumed: true, user: ann.welcome.user, session: ann.welcome.session })
    const joined = await back.next('joined')
    expect(joined.history.map((m) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `missed ${i}`))
    expect(joined.hasMore).toBeUndefined()
    expect(joined.members.map((m) => m.nick).sort()).toEqual(['ann', 'bob'])
    expect(await back.next('dm')).toEqual({ ...dm })
    expect(await bob.client.next('presence')).toMatchObject({ event: 'join', user: ann.welcome.user })

    // Live traffic continues after the replay, and nothing replayed arrives again.
    bob.client.send({ type: 'send', room: 'general', text: 'live' })
    expect((await back.next('message')).text).toBe('live')
    back.send({ type: 'ping', t: 1 })
    await back.next('pong')
    expect(back.log.filter((m) => m.type === 'message').map((m) => m.text)).toEqual(['live'])
    expect(back.log.filter((m) => m.type === 'dm')).toHaveLength(1)
  })

  it('keeps rooms across the resume and, without a resume entry, sends the last messages', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    ann.client.send({ type: 'join', room: 'dev' })
    await ann.client.next('joined')
    ann.client.send({ type: 'send', room: 'dev', text: 'in dev' })
    await ann.client.next('message')
    await ann.client.close(4000)
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: ann.welcome.session })
    await back.next('welcome')
    const rooms = [await back.next('joined'), await back.next('joined')]
    expect(rooms.map((r) => r.room).sort()).toEqual(['dev', 'general'])
    expect(rooms.find((r) => r.room === 'dev')?.history.map((m) => m.text)).toEqual(['in dev'])
  })

  it('caps a long replay at resumeReplayMax, newest kept, with hasMore', async () => {
    server = await startTestServer({ limits: { resumeReplayMax: 3, rateBurst: 100 } })
    const bob = await join('bob')
    const dropped = await droppedSession('ann')
    for (let i = 1; i <= 6; i++) bob.client.send({ type: 'send', room: 'general', text: `m${i}` })
    for (let i = 1; i <= 6; i++) await bob.client.next('message')
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: dropped.session, resume: { general: 0 } })
    await back.next('welcome')
    const joined = await back.next('joined')
    expect(joined.history.map((m) => m.text)).toEqual(['m4', 'm5', 'm6'])
    expect(joined.hasMore).toBe(true)
  })

  it('a DM to a dropped user is stored and delivered on resume', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const dropped = await droppedSession('ann')
    bob.client.send({ type: 'dm', to: dropped.userId, text: 'are you there?', cid: 'q' })
    expect(await bob.client.next('dm')).toMatchObject({ text: 'are you there?', cid: 'q' })
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: dropped.session, resume: { [DM_RESUME_KEY]: 0 } })
    await back.next('welcome')
    expect(await back.next('dm')).toMatchObject({ text: 'are you there?', to: { id: dropped.userId } })
  })

  it('after the resume window the token starts a fresh session and the user is gone', async () => {
    server = await startTestServer({ limits: { sessionResumeMs: 100 } })
    const bob = await join('bob')
    const dropped = await droppedSession('ann')
    await new Promise((resolve) => setTimeout(resolve, 250))
    bob.client.send({ type: 'dm', to: dropped.userId, text: 'too late' })
    expect((await bob.client.next('error')).code).toBe('no_such_user')
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: dropped.session })
    const welcome = await back.next('welcome')
    expect(welcome.resumed).toBeUndefined()
    expect(welcome.user.id).not.toBe(dropped.userId)
  })

  it('survives a server restart: same user, rooms, and the messages missed meanwhile', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    ann.client.send({ type: 'join', room: 'dev' })
    await ann.client.next('joined')
    const bob = await join('bob')
    bob.client.send({ type: 'send', room: 'general', text: 'before restart' })
    const last = await ann.client.next('message')
    await Promise.all(clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server)
    const other = await join('cy')
    other.client.send({ type: 'send', room: 'general', text: 'while ann was away' })
    await other.client.next('message')

    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: ann.welcome.session, resume: { general: last.id } })
    const welcome = await back.next('welcome')
    expect(welcome).toMatchObject({ resumed: true, user: ann.welcome.user, session: ann.welcome.session })
    const joined = [await back.next('joined'), await back.next('joined')]
    expect(joined.map((room) => room.room).sort()).toEqual(['dev', 'general'])
    expect(joined.find((room) => room.room === 'general')?.history.map((m) => m.text)).toEqual([
      'while ann was away'
    ])
  })

  it("a new hello cannot take a dropped session's nick; the session's token still resumes it", async () => {
    server = await startTestServer()
    const dropped = await droppedSession('ann')
    const newcomer = await connect(server.url)
    clients.push(newcomer)
    newcomer.send({ type: 'hello', nick: 'ann' })
    expect((await newcomer.closed).code).toBe(4409)
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session: dropped.session })
    expect(await back.next('welcome')).toMatchObject({ resumed: true, user: { id: dropped.userId } })
  })
})
