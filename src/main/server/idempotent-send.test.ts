/**
 * A `send`/`dm` whose acknowledgement was lost with the socket is resent with the same cid after
 * the resume; the server must store it once and acknowledge the resend with the stored message.
 * Real server, real sockets, real SQLite in a temp dir (restarted in place for the restart case).
 */
import { describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import { DM_RESUME_KEY, type ServerMessage } from '../../shared/protocol'
import {
  connect,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const { clients, join } = serverTestFixture(() => server)

/**
 * Says hello, waits for the first joined, sends `frame`, and cuts the socket without reading
 * another byte: the server may commit the message, but its echo never reaches this client.
 */
async function sendAndVanish(nick: string, frame: object): Promise<{ session: string; userId: string }> {
  const raw = new WsClient(server.url)
  const welcome = await new Promise<{ session: string; user: { id: string } }>((resolve, reject) => {
    let hello: { session: string; user: { id: string } } | undefined
    raw.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString())
      if (message.type === 'welcome') hello = message
      if (message.type === 'joined' && hello) resolve(hello)
    })
    raw.once('open', () => raw.send(JSON.stringify({ type: 'hello', nick })))
    raw.once('error', reject)
  })
  const closed = new Promise((resolve) => raw.once('close', resolve))
  raw.send(JSON.stringify(frame), () => raw.terminate())
  await closed
  return { session: welcome.session, userId: welcome.user.id }
}

/** Takes the session back with a resume entry per room, and returns the socket plus its replay. */
async function resume(session: string, nick: string, resumeFrom: Record<string, number>) {
  const back = await connect(server.url)
  clients.push(back)
  back.send({ type: 'hello', nick, session, resume: resumeFrom })
  const welcome = await back.next('welcome')
  expect(welcome.resumed).toBe(true)
  return { back, joined: await back.next('joined') }
}

/** Everything the server has sent this client up to now (a ping's pong is the barrier). */
async function drained(client: TestClient): Promise<ServerMessage[]> {
  client.send({ type: 'ping', t: 1 })
  await client.next('pong')
  return client.log.filter((message) => message.type !== 'pong')
}

async function roomHistory(client: TestClient, room = 'general') {
  client.send({ type: 'history', room, limit: 200 })
  return (await client.next('history')).messages
}

describe('a send whose acknowledgement was lost', () => {
  it('is stored once when resent after the resume; the resend is acknowledged with the original', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const ann = await sendAndVanish('ann', { type: 'send', room: 'general', text: 'once', cid: 'c-1' })
    const original = await bob.client.next('message')
    expect(original).toMatchObject({ text: 'once', from: { id: ann.userId } })
    expect(original.cid).toBeUndefined()

    // A client whose replay did not show the message (here: no resume entry) resends it.
    const { back } = await resume(ann.session, 'ann', {})
    back.send({ type: 'send', room: 'general', text: 'once', cid: 'c-1' })
    const ack = await back.next('message')
    expect(ack).toEqual({ ...original, cid: 'c-1' })

    expect((await drained(bob.client)).filter((m) => m.type === 'message')).toHaveLength(1)
    expect((await roomHistory(bob.client)).map((m) => m.text)).toEqual(['once'])
    // A new cid is a new message, and the next id follows the original without a gap.
    back.send({ type: 'send', room: 'general', text: 'next', cid: 'c-2' })
    expect(await back.next('message')).toMatchObject({ id: original.id + 1, cid: 'c-2' })
  })

  it('a cid repeated while its first copy is still being written is stored and acknowledged once', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const ann = await join('ann')
    await bob.client.next('presence')
    for (let i = 0; i < 3; i++) ann.client.send({ type: 'send', room: 'general', text: 'dup', cid: 'same' })
    const ack = await ann.client.next('message')
    expect(ack).toMatchObject({ text: 'dup', cid: 'same' })
    // A repeat after the commit is answered from memory with the same stored message.
    ann.client.send({ type: 'send', room: 'general', text: 'dup', cid: 'same' })
    expect(await ann.client.next('message')).toEqual(ack)
    expect((await drained(ann.client)).filter((m) => m.type === 'message')).toHaveLength(2)
    expect((await drained(bob.client)).filter((m) => m.type === 'message')).toHaveLength(1)
    // The same cid in another room is another message.
    ann.client.send({ type: 'join', room: 'dev' })
    await ann.client.next('joined')
    ann.client.send({ type: 'send', room: 'dev', text: 'dup', cid: 'same' })
    expect(await ann.client.next('message')).toMatchObject({ room: 'dev', id: 1, cid: 'same' })
  })

  it('is stored once when resent to a restarted server on the same data dir', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const ann = await sendAndVanish('ann', { type: 'send', room: 'general', text: 'survives', cid: 'c-9' })
    const original = await bob.client.next('message')
    await Promise.all(clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server)
    const cy = await join('cy')
    const { back } = await resume(ann.session, 'ann', {})
    back.send({ type: 'send', room: 'general', text: 'survives', cid: 'c-9' })
    expect(await back.next('message')).toEqual({ ...original, cid: 'c-9' })
    expect((await drained(cy.client)).filter((m) => m.type === 'message')).toHaveLength(0)
    expect((await roomHistory(cy.client)).map((m) => m.id)).toEqual([original.id])
  })
})

describe('cid in replays and history', () => {
  it("goes to its author in the resume replay and history pages, never to anyone else's copy", async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const ann = await sendAndVanish('ann', { type: 'send', room: 'general', text: 'mine', cid: 'c-a' })
    const { type: _message, ...original } = await bob.client.next('message')

    const { back, joined } = await resume(ann.session, 'ann', { general: 0 })
    expect(joined.history).toEqual([{ ...original, cid: 'c-a' }])
    expect(await roomHistory(back)).toEqual([{ ...original, cid: 'c-a' }])
    expect(await roomHistory(bob.client)).toEqual([original])

    // Bob drops and resumes: his replay of ann's message has no cid.
    await bob.client.close(4000)
    const bobBack = await resume(bob.welcome.session, 'bob', { general: 0 })
    expect(bobBack.joined.history).toEqual([original])
    expect(JSON.stringify(bobBack.back.log)).not.toContain('c-a')
  })
})

describe('a dm whose acknowledgement was lost', () => {
  it('is stored once when resent; the replay carries the cid to its author only', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const bobId = bob.welcome.user.id
    const ann = await sendAndVanish('ann', { type: 'dm', to: bobId, text: 'psst', cid: 'd-1' })
    const delivered = await bob.client.next('dm')
    expect(delivered).toMatchObject({ text: 'psst', from: { id: ann.userId } })
    expect(delivered.cid).toBeUndefined()

    const { back } = await resume(ann.session, 'ann', { [DM_RESUME_KEY]: 0 })
    expect(await back.next('dm')).toEqual({ ...delivered, cid: 'd-1' })
    back.send({ type: 'dm', to: bobId, text: 'psst', cid: 'd-1' })
    expect(await back.next('dm')).toEqual({ ...delivered, cid: 'd-1' })
    expect((await drained(bob.client)).filter((m) => m.type === 'dm')).toHaveLength(1)

    // The same cid to someone else is a different DM.
    const cy = await join('cy')
    back.send({ type: 'dm', to: cy.welcome.user.id, text: 'psst', cid: 'd-1' })
    expect(await back.next('dm')).toMatchObject({ id: delivered.id + 1, to: { nick: 'cy' }, cid: 'd-1' })
    expect((await cy.client.next('dm')).cid).toBeUndefined()

    await bob.client.close(4000)
    const bobBack = await resume(bob.welcome.session, 'bob', { [DM_RESUME_KEY]: 0 })
    expect(await bobBack.back.next('dm')).toEqual(delivered)
  })
})
