/**
 * A resumed hello's reply (issue 19, point 1). The attack run: 200 rooms of 50 messages of
 * 4,000 × "€", sessions in all 200 resuming with `resume` and never reading; each hello queued one
 * ~512 KiB `joined` per room (rooms × 512 KiB), RSS went 89 → 932 MiB and the event loop stalled
 * 16.5 s. Here 20 such rooms: before, one hello queued ~10 MB; now the whole reply stays within
 * the reply budget, and the client gets the rest by asking, page by page.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { openHistoryStore } from '../history-store'
import { connect, startTestServer, type TestServer } from '../../../../test-support/server/test-harness'

const ROOMS = Array.from({ length: 20 }, (_, i) => `heavy-${i}`)
const PER_ROOM = 50
const TEXT = '€'.repeat(4000)

let dataDir: string
let server: TestServer
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'parley-budget-'))
  // Filled through the store itself (the real SQLite file), not 1,000 rate-limited sends.
  const store = openHistoryStore(dataDir)
  const author = { id: 'u_filler', nick: 'filler' }
  for (const room of ROOMS) {
    store.ensureRoom(room)
    for (let i = 0; i < PER_ROOM; i++) store.appendMessage(room, author, TEXT, () => {})
  }
  store.flush()
  store.close()
  server = await startTestServer({}, dataDir)
}, 60_000)
afterAll(async () => {
  await server.stop()
  await rm(dataDir, { recursive: true, force: true })
})

describe('the reply to a resumed hello', () => {
  it('stays within the reply budget, whatever the rooms hold; the rest comes by asking', async () => {
    const first = await connect(server.url)
    first.send({ type: 'hello', nick: 'reader' })
    const welcome = await first.next('welcome')
    await first.next('joined')
    for (const room of ROOMS) {
      first.send({ type: 'join', room })
      await first.next('joined', 10_000)
      // Paced under the rate limit (a burst of 30).
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await first.close(4000, 'dropped')

    const back = await connect(server.url)
    let bytes = 0
    back.ws.addEventListener('message', (event) => (bytes += Buffer.byteLength(String(event.data))))
    const resume = Object.fromEntries(ROOMS.map((room) => [room, 0]))
    back.send({ type: 'hello', nick: 'reader', session: welcome.session, resume })
    back.send({ type: 'ping', t: 1 })
    await back.next('pong', 20_000)
    const replyBytes = bytes
    expect(back.queued('welcome')[0]?.resumed).toBe(true)
    const joined = back.queued('joined')
    expect(joined.map((j) => j.room).sort()).toEqual(['general', ...ROOMS].sort())
    // The whole reply, every room's joined included, fits what one reply may queue.
    expect(replyBytes).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBufferedBytes / 2 + 64 * 1024)
    // Rooms cut short say so; asking with history brings what is missing, newest first.
    const cut = joined.filter((j) => j.room !== 'general' && j.hasMore)
    expect(cut.length).toBeGreaterThan(0)
    const room = cut.at(-1)!
    back.send({
      type: 'history',
      room: room.room,
      limit: 200,
      ...(room.history[0] ? { before: room.history[0].id } : {})
    })
    const page = await back.next('history', 10_000)
    expect(page.messages.length).toBeGreaterThan(0)
    await back.close()
  }, 60_000)
})
