import { afterEach, describe, expect, it } from 'vitest'
import type { User } from '../../shared/protocol'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const clients: TestClient[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await server?.stop()
})

async function join(nick: string) {
  const joined = await joinAs(server.url, nick)
  clients.push(joined.client)
  return joined
}

describe('member lists of large rooms', () => {
  it('joined lists the first page with the full count; members pages through the rest in join order', async () => {
    server = await startTestServer({ limits: { membersPageMax: 3 } })
    const early: User[] = []
    for (const nick of ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']) early.push((await join(nick)).welcome.user)
    const last = await join('last')
    const joined = last.client.log.find((m) => m.type === 'joined')
    if (joined?.type !== 'joined') throw new Error('no joined')
    expect(joined.members.map((u) => u.nick)).toEqual(['m0', 'm1', 'm2'])
    expect(joined.memberCount).toBe(7)

    last.client.send({ type: 'members', room: 'general', offset: 3 })
    expect(await last.client.next('members')).toEqual({
      type: 'members',
      room: 'general',
      offset: 3,
      members: early.slice(3),
      total: 7
    })
    // A limit above the page size is capped; past the end the page is empty.
    last.client.send({ type: 'members', room: 'general', offset: 6, limit: 50 })
    expect((await last.client.next('members')).members.map((u) => u.nick)).toEqual(['last'])
    last.client.send({ type: 'members', room: 'general', offset: 7 })
    expect(await last.client.next('members')).toMatchObject({ offset: 7, members: [], total: 7 })
  })

  it('answers not_in_room for a room the asker is not in, and keeps the connection', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    ann.client.send({ type: 'members', room: 'elsewhere' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'not_in_room', ref: 'members' })
    ann.client.send({ type: 'members', room: 'general' })
    expect(await ann.client.next('members')).toMatchObject({ total: 1, offset: 0 })
  })

  it('refuses a negative offset as an invalid message', async () => {
    server = await startTestServer()
    const ann = await join('ann')
    ann.client.send({ type: 'members', room: 'general', offset: -1 })
    expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_message' })
  })
})
