import { afterEach, describe, expect, it } from 'vitest'
import type { ServerMessage, User } from '../../shared/protocol'
import {
  connect,
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

async function observer(nick: string): Promise<{ client: TestClient; user: User }> {
  const { client, welcome } = await joinAs(server.url, nick)
  clients.push(client)
  return { client, user: welcome.user }
}

/** Presence frames (plain or batched) in the order received, flattened to their events. */
function presenceEvents(log: ServerMessage[]): { event: 'join' | 'leave'; nick: string }[] {
  return log.flatMap((m) => {
    if (m.type === 'presence') return [{ event: m.event, nick: m.user.nick }]
    if (m.type === 'presence_batch') return m.events.map((e) => ({ event: e.event, nick: e.user.nick }))
    return []
  })
}

const presenceFrames = (log: ServerMessage[]) =>
  log.filter((m) => m.type === 'presence' || m.type === 'presence_batch')

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('presence coalesced per room per turn', () => {
  it('a single join is still one plain presence frame, not sent to the joiner', async () => {
    server = await startTestServer()
    const ann = await observer('ann')
    const bob = await observer('bob')
    expect(await ann.client.next('presence')).toEqual({
      type: 'presence',
      room: 'general',
      event: 'join',
      user: bob.user
    })
    expect(presenceFrames(bob.client.log)).toEqual([])
  })

  it('a burst of 50 joins reaches a member in far fewer frames, every join once', async () => {
    server = await startTestServer()
    const watcher = await observer('watcher')
    const burst = await Promise.all(Array.from({ length: 50 }, () => connect(server.url)))
    clients.push(...burst)
    const nicks = burst.map((_, i) => `burst${i}`)
    // All hellos in one synchronous loop: they reach the server in the same few I/O polls.
    burst.forEach((client, i) => client.send({ type: 'hello', nick: nicks[i] }))
    await until(() => presenceEvents(watcher.client.log).length >= 50, '50 joins')

    const frames = presenceFrames(watcher.client.log)
    expect(frames.length).toBeLessThan(25)
    expect(frames.some((f) => f.type === 'presence_batch')).toBe(true)
    const events = presenceEvents(watcher.client.log)
    expect(events.every((e) => e.event === 'join')).toBe(true)
    expect(events.map((e) => e.nick).sort()).toEqual([...nicks].sort())

    // Each joiner's `joined` and the presence it got afterwards add up to all 51 members.
    for (const client of burst) {
      await until(() => {
        const index = client.log.findIndex((m) => m.type === 'joined')
        const joined = client.log[index]
        if (joined?.type !== 'joined') return false
        const nicksSeen = new Set(joined.members.map((u) => u.nick))
        for (const e of presenceEvents(client.log.slice(index))) nicksSeen.add(e.nick)
        return nicksSeen.size === 51
      }, 'a full member list')
    }
  })

  it('a burst of leaves is batched the same way', async () => {
    server = await startTestServer()
    const watcher = await observer('watcher')
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => joinAs(server.url, `leaver${i}`)))
    await until(() => presenceEvents(watcher.client.log).length >= 50, '50 joins')
    const before = watcher.client.log.length

    await Promise.all(burst.map(({ client }) => client.close()))
    await until(() => presenceEvents(watcher.client.log.slice(before)).length >= 50, '50 leaves')
    const after = watcher.client.log.slice(before)
    expect(presenceFrames(after).length).toBeLessThan(50)
    const events = presenceEvents(after)
    expect(events.every((e) => e.event === 'leave')).toBe(true)
    expect(events.map((e) => e.nick).sort()).toEqual(burst.map(({ welcome }) => welcome.user.nick).sort())
  })

  it('keeps the order of one turn: a leave then a rejoin arrive as leave, join', async () => {
    server = await startTestServer()
    const watcher = await observer('watcher')
    const ann = await observer('ann')
    await watcher.client.next('presence')
    ann.client.send({ type: 'leave', room: 'general' })
    ann.client.send({ type: 'join', room: 'general' })
    await until(() => presenceEvents(watcher.client.log).length >= 3, 'leave and join')
    expect(presenceEvents(watcher.client.log).slice(1)).toEqual([
      { event: 'leave', nick: 'ann' },
      { event: 'join', nick: 'ann' }
    ])
  })

  it("flushes a turn's presence before any message of that turn, so no author is unknown", async () => {
    server = await startTestServer()
    const watcher = await observer('watcher')
    const [carl, dora] = await Promise.all([connect(server.url), connect(server.url)])
    clients.push(carl!, dora!)
    carl!.send({ type: 'hello', nick: 'carl' })
    dora!.send({ type: 'hello', nick: 'dora' })
    carl!.send({ type: 'send', room: 'general', text: 'first words', cid: 'c1' })
    const message = await watcher.client.next('message')
    const seenBefore = presenceEvents(watcher.client.log.slice(0, watcher.client.log.indexOf(message)))
    expect(seenBefore).toContainEqual({ event: 'join', nick: 'carl' })
  })
})
