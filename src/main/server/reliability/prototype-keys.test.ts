/**
 * Names that are also Object.prototype's keys (issue 19, point 4). A room named `constructor`
 * that was missing from a hello's `resume` made `resume[room]` read Object.prototype.constructor,
 * SQLite refused to bind it, and the server closed with 1011 on every attempt: the web client
 * leaves empty rooms out of `resume`, so it looped reconnecting. Every lookup keyed by a name a
 * client chose is a Map now; this property throws those names at every such lookup.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DM_RESUME_KEY } from '../../../shared/protocol'
import { connect, startTestServer, type TestServer } from '../../../../test-support/server/test-harness'

// Room names are lower case; nicks, ids and resume keys may be anything.
const PROTOTYPE_ROOMS = ['__proto__', 'constructor', 'prototype', 'tostring', 'valueof', 'hasownproperty']
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__'
]

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.stop()
})

let run = 0

describe('Object.prototype names as rooms, nicks, ids and resume keys', () => {
  it('never cost a close: rooms join, hold messages and resume whatever the resume map holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(PROTOTYPE_ROOMS, { minLength: 1 }),
        fc.constantFrom(...PROTOTYPE_KEYS),
        fc.subarray([...PROTOTYPE_KEYS, ...PROTOTYPE_ROOMS, 'general', DM_RESUME_KEY]),
        fc.constantFrom(...PROTOTYPE_KEYS),
        async (rooms, nickBase, resumeKeys, dmTarget) => {
          const nick = `${nickBase}${++run}`
          const first = await connect(server.url)
          first.send({ type: 'hello', nick })
          const welcome = await first.next('welcome')
          await first.next('joined')
          for (const room of rooms) {
            first.send({ type: 'join', room })
            expect((await first.next('joined')).room).toBe(room)
          }
          // One room gets a message; the others stay empty, as the web client's resume omits them.
          first.send({ type: 'send', room: rooms[0]!, text: 'hi', cid: 'c1' })
          const sent = await first.next('message')
          first.send({ type: 'dm', to: dmTarget, text: 'x' })
          expect((await first.next('error')).code).toBe('no_such_user')
          first.send({ type: 'members', room: rooms[0]! })
          expect((await first.next('members')).total).toBe(1)
          await first.close(4000, 'dropped')

          const back = await connect(server.url)
          const resume = Object.fromEntries(
            resumeKeys.map((key) => [key, key === rooms[0] ? sent.id - 1 : 0])
          )
          back.send({ type: 'hello', nick, session: welcome.session, resume })
          expect(await back.next('welcome')).toMatchObject({ resumed: true, user: welcome.user })
          const joined = new Map<string, number[]>()
          for (let i = 0; i < rooms.length + 1; i++) {
            const reply = await back.next('joined')
            joined.set(
              reply.room,
              reply.history.map((m) => m.id)
            )
          }
          expect([...joined.keys()].sort()).toEqual(['general', ...rooms].sort())
          expect(joined.get(rooms[0]!)).toContain(sent.id)
          back.send({ type: 'ping', t: 1 })
          await back.next('pong')
          const result = await back.close()
          expect(result.code).toBe(1000)
        }
      ),
      { numRuns: 12 }
    )
  }, 60_000)
})
