import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from './index'
import { joinAs, startTestServer, type TestServer } from '../../../test-support/server/test-harness'

let server: TestServer

afterEach(() => server.stop())

describe('connection records', () => {
  it('publishes open, hello and close at once, and coalesces counter updates', async () => {
    server = await startTestServer({ limits: { rateBurst: 1000 } })
    const events: ConnectionInfo[] = []
    const unsubscribe = server.server.onConnectionChange((info) => events.push(info))
    const { client } = await joinAs(server.url, 'ann')
    expect(events[0]).toMatchObject({ state: 'open', remoteAddress: '127.0.0.1', messagesIn: 0 })
    expect(events.find((info) => info.nick === 'ann')).toBeDefined()

    for (let i = 0; i < 200; i++) client.send({ type: 'ping', t: i })
    for (let i = 0; i < 200; i++) await client.next('pong')
    await expect.poll(() => events.at(-1)?.messagesIn, { timeout: 2000 }).toBe(201)
    // 200 messages in and 200 out came through as a handful of coalesced updates.
    expect(events.length).toBeLessThan(20)
    expect(events.at(-1)).toMatchObject({ messagesOut: 202, state: 'open' })

    await client.close(4000, 'testing')
    await expect.poll(() => events.at(-1)?.state).toBe('closed')
    expect(events.at(-1)).toMatchObject({ code: 4000, reason: 'testing', wasClean: true, nick: 'ann' })
    expect(events.at(-1)?.durationMs).toBeGreaterThanOrEqual(0)
    unsubscribe()
    expect(server.server.connections().map((info) => info.state)).toEqual(['closed'])
  })
})
