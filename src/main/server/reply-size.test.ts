import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS } from '../../shared/protocol'
import { openHistoryStore } from './history-store'
import {
  connect,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

// Escapes to six bytes per character in JSON: 24 KB a message, so 1000 of them are ~24 MB.
const LONG_TEXT = '\u0001'.repeat(DEFAULT_LIMITS.maxTextLength)
const COUNT = 1000

async function seededServer(): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-reply-size-'))
  const store = openHistoryStore(dir)
  store.ensureRoom('general')
  const author = { id: 'u_seed', nick: 'seed' }
  for (let i = 0; i < COUNT; i++) store.appendMessage('general', author, LONG_TEXT, () => {})
  store.close()
  // Paging 24 MB back takes about 50 requests: more than the default burst allows.
  const server = await startTestServer({ limits: { ...DEFAULT_LIMITS, rateBurst: 1000 } }, dir)
  return {
    ...server,
    async stop() {
      await server.server.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

describe('replies carrying many long messages', () => {
  let server: TestServer | undefined
  const { clients } = serverTestFixture(() => server)

  it('a resume replay of 1000 long messages is cut by bytes and the reader is not closed as slow', async () => {
    server = await seededServer()
    const client = await connect(server.url)
    clients.push(client)
    client.send({ type: 'hello', nick: 'ann', resume: { general: 0 } })
    const joined = await client.next('joined', 10_000)
    expect(joined.hasMore).toBe(true)
    const ids = joined.history.map((m) => m.id)
    expect(ids.length).toBeGreaterThan(0)
    // The newest are kept, contiguous, so the client pages back from the first one.
    expect(ids.at(-1)).toBe(COUNT)
    expect(ids).toEqual(ids.map((_, i) => COUNT - ids.length + 1 + i))

    // Paging back with the renderer's 200-message pages reaches message 1 without a 1013.
    let before = ids[0] ?? 0
    const seen = new Set(ids)
    while (before > 1) {
      client.send({ type: 'history', room: 'general', before, limit: 200 })
      const page = await client.next('history', 10_000)
      expect(page.messages.length).toBeGreaterThan(0)
      expect(page.messages.at(-1)!.id).toBe(before - 1)
      for (const m of page.messages) seen.add(m.id)
      before = page.messages[0]?.id ?? 0
      if (before > 1) expect(page.hasMore).toBe(true)
    }
    expect(seen.size).toBe(COUNT)
    client.send({ type: 'ping', t: 7 })
    expect((await client.next('pong')).t).toBe(7)
  }, 60_000)
})
