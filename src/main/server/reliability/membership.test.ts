/**
 * Reading a room needs membership (issue 19, point 9): `history` answered anyone who named the
 * room, so a non-member read a private room's messages without appearing in it; `members` checked.
 */
import { describe, expect, it } from 'vitest'
import {
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'

let server: TestServer
const { join } = serverTestFixture(() => server)

describe('history', () => {
  it("answers not_in_room to someone who is not in the room, and the room's messages to members", async () => {
    server = await startTestServer()
    const ann = await join('ann')
    ann.client.send({ type: 'join', room: 'private' })
    await ann.client.next('joined')
    ann.client.send({ type: 'send', room: 'private', text: 'the secret plan', cid: 'c1' })
    await ann.client.next('message')

    const eve = await join('eve')
    eve.client.send({ type: 'history', room: 'private', limit: 50 })
    const refused = await eve.client.next('error')
    expect(refused).toMatchObject({ code: 'not_in_room', ref: 'history' })
    expect(eve.client.queued('history')).toHaveLength(0)

    ann.client.send({ type: 'history', room: 'private', limit: 50 })
    expect((await ann.client.next('history')).messages.map((m) => m.text)).toEqual(['the secret plan'])
  })
})
