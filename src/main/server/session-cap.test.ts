/**
 * Dropped sessions are capped: each is memory, a timer and a row, and a hello is cheap, so a
 * churn of connections must not grow them without end. Real server, real sockets, real SQLite.
 */
import { describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import {
  connect,
  joinAs,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer | undefined

describe('dropped-session cap', () => {
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

  it("lets one address's churn evict only its own dropped sessions, never another address's", async () => {
    // The attack run: 10,050 hello/close cycles from one address pushed a real dropped session out.
    server = await startTestServer({ maxDroppedSessions: 20, maxDroppedSessionsPerIp: 3 })
    const victim = await helloFrom('127.0.0.2', 'victim')
    victim.ws.close()
    await new Promise((resolve) => victim.ws.once('close', resolve))
    for (let i = 0; i < 40; i++) {
      const churn = await helloFrom('127.0.0.1', `churn${i}`)
      churn.ws.close()
      await new Promise((resolve) => churn.ws.once('close', resolve))
    }
    const back = await helloFrom('127.0.0.2', 'victim', victim.session)
    expect(back.userId).toBe(victim.userId)
    expect(back.resumed).toBe(true)
    back.ws.close()
  }, 30_000)
})

/** A hello from a given loopback address; resolves at its welcome. */
async function helloFrom(localAddress: string, nick: string, session?: string) {
  const ws = new WsClient(server!.url, { localAddress })
  const welcome = await new Promise<{ session: string; user: { id: string }; resumed?: boolean }>(
    (resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString())
        if (message.type === 'welcome') resolve(message)
      })
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', nick, ...(session ? { session } : {}) })))
      ws.once('error', reject)
    }
  )
  return { ws, session: welcome.session, userId: welcome.user.id, resumed: welcome.resumed === true }
}
