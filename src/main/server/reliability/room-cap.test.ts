/**
 * Using up the room cap (issue 19, point 6): 20 sockets from one address created 1,000 rooms in
 * 14 s; afterwards every new room was `invalid_room`, across restarts, as rooms were never removed.
 * Now new rooms are rate-limited per address and per session, and a room nobody is in expires.
 */
import { describe, expect, it } from 'vitest'
import { WebSocket as WsClient } from 'ws'
import {
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'

let server: TestServer
const { join } = serverTestFixture(() => server)

/** Asks to join each room in turn; resolves with the rooms it got into. */
async function joinEach(
  client: Awaited<ReturnType<typeof join>>['client'],
  rooms: string[]
): Promise<string[]> {
  const got: string[] = []
  for (const room of rooms) {
    const answer = await new Promise<string>((resolve) => {
      const onMessage = (event: MessageEvent): void => {
        const message = JSON.parse(String(event.data)) as { type: string; room?: string; code?: string }
        const done =
          message.type === 'joined' && message.room === room
            ? room
            : message.type === 'error'
              ? `error:${message.code}`
              : undefined
        if (done === undefined) return
        client.ws.removeEventListener('message', onMessage)
        resolve(done)
      }
      client.ws.addEventListener('message', onMessage)
      client.send({ type: 'join', room })
    })
    if (answer.startsWith('error:')) expect(answer).toBe('error:rate_limited')
    else got.push(answer)
  }
  return got
}

describe('room creation', () => {
  it('is rate-limited per session and per address; other addresses and existing rooms are not', async () => {
    server = await startTestServer()
    const sockets = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => join(`maker${i}`)))
    const made: string[][] = []
    for (const [i, { client }] of sockets.entries()) {
      made.push(
        await joinEach(
          client,
          Array.from({ length: 12 }, (_, n) => `flood-${i}-${n}`)
        )
      )
    }
    // 10 per session at once, 50 per address: the sixth session gets none.
    expect(made.map((rooms) => rooms.length)).toEqual([10, 10, 10, 10, 10, 0])
    // Joining a room that exists is never limited.
    expect(await joinEach(sockets[5]!.client, ['flood-0-0', 'flood-1-0'])).toEqual(['flood-0-0', 'flood-1-0'])
    // Another address creates rooms as usual.
    const other = new WsClient(server.url, { localAddress: '127.0.0.2' })
    const joined = await new Promise<string>((resolve, reject) => {
      other.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString())
        if (message.type === 'welcome') other.send(JSON.stringify({ type: 'join', room: 'elsewhere' }))
        if (message.type === 'joined' && message.room === 'elsewhere') resolve(message.room)
        if (message.type === 'error') reject(new Error(message.code))
      })
      other.once('open', () => other.send(JSON.stringify({ type: 'hello', nick: 'other' })))
    })
    expect(joined).toBe('elsewhere')
    other.close()
  })

  it('frees the cap when rooms stay empty: a room nobody is in expires, and its history comes back', async () => {
    server = await startTestServer({ maxRooms: 4, emptyRoomExpiryMs: 300 })
    const ann = await join('ann')
    expect(await joinEach(ann.client, ['a1', 'a2', 'a3'])).toEqual(['a1', 'a2', 'a3'])
    ann.client.send({ type: 'send', room: 'a1', text: 'kept on disk', cid: 'c1' })
    await ann.client.next('message')
    ann.client.send({ type: 'join', room: 'a4' })
    await expect
      .poll(() => ann.client.log.some((m) => m.type === 'error' && m.code === 'invalid_room'))
      .toBe(true)
    for (const room of ['a1', 'a2', 'a3']) {
      ann.client.send({ type: 'leave', room })
      await ann.client.next('left')
    }
    await new Promise((resolve) => setTimeout(resolve, 900))
    ann.client.send({ type: 'rooms' })
    expect((await ann.client.next('rooms')).rooms.map((r) => r.name)).toEqual(['general'])
    expect(await joinEach(ann.client, ['a4', 'a1'])).toEqual(['a4', 'a1'])
    ann.client.send({ type: 'history', room: 'a1' })
    expect((await ann.client.next('history')).messages.map((m) => m.text)).toEqual(['kept on disk'])
  })
})
