/**
 * Dropped sessions are capped: each is memory, a timer and a row, and a hello is cheap, so a
 * churn of connections must not grow them without end. Real server, real sockets, real SQLite.
 */
import { describe, expect, it } from 'vitest'
import {
  connect,
  joinAs,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

describe('dropped-session cap', () => {
  let server: TestServer | undefined
  const { clients, join } = serverTestFixture(() => server)

  it('evicts the oldest dropped session first; the others stay resumable', async () => {
    server = await startTestServer({ maxDroppedSessions: 2 })
    const watcher = await join('watcher')
    const dropped = []
    for (const nick of ['ann', 'bob', 'cy']) {
      const { client, welcome } = await joinAs(server.url, nick)
      await watcher.client.next('presence')
      await client.close()
      // The watcher's leave is the server's word that the drop happened.
      expect(await watcher.client.next('presence')).toMatchObject({ event: 'leave', user: { nick } })
      dropped.push(welcome)
    }
    const [ann, bob, cy] = dropped
    watcher.client.send({ type: 'dm', to: ann!.user.id, text: 'still there?' })
    expect((await watcher.client.next('error')).code).toBe('no_such_user')

    for (const [welcome, resumable] of [
      [ann!, false],
      [bob!, true],
      [cy!, true]
    ] as const) {
      const back = await connect(server.url)
      clients.push(back)
      back.send({ type: 'hello', nick: welcome.user.nick, session: welcome.session })
      const again = await back.next('welcome')
      expect(again.user.id === welcome.user.id).toBe(resumable)
      expect(again.resumed).toBe(resumable ? true : undefined)
    }
  })
})
