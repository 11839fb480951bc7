/**
 * The reclaim after a burst of connections: V8's memory-reducing collection really gives the
 * young generation back, and a real server asks for it once a burst is over and it is quiet, not
 * while connections keep coming or anyone talks. The memory it saves is measured by `npm run bench` (idle).
 */
import { pino } from 'pino'
import { getHeapSpaceStatistics } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { memoryReducingCollection } from './heap-reclaim'
import {
  joinAs,
  socketTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.physical_space_size

let server: TestServer | undefined
const sockets = socketTestFixture(() => server)

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, 'parley.v1')
  sockets.push(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

async function closeAll(): Promise<void> {
  await Promise.all(
    sockets.splice(0).map((ws) => new Promise((resolve) => (ws.once('close', resolve), ws.close())))
  )
}

describe('heap reclaim', () => {
  it('shrinks the young generation a storm grew (a plain full GC keeps it)', () => {
    const collect = memoryReducingCollection()
    expect(collect).toBeTypeOf('function')
    // Objects that live through a few scavenges make V8 grow the young generation, as a storm does.
    const kept: object[][] = []
    for (let round = 0; round < 200; round++) {
      kept.push(Array.from({ length: 20_000 }, (_, i) => ({ i, text: `x${i}` })))
      if (kept.length > 20) kept.shift()
    }
    kept.length = 0
    const grown = newSpaceBytes()
    expect(grown).toBeGreaterThan(8 * 2 ** 20)
    collect!()
    expect(newSpaceBytes()).toBeLessThan(grown / 4)
  })

  it('collects once a burst of connections is over and nothing is said, and again after they leave', async () => {
    const reclaims: Record<string, unknown>[] = []
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as Record<string, unknown>
          if (entry.msg === 'reclaimed memory after a burst of connections') reclaims.push(entry)
        }
      }
    )
    server = await startTestServer({ logger, reclaimAfterChurn: 20 })
    const talker = await joinAs(server.url, 'talker')
    for (let i = 0; i < 18; i++) await open(server.url)
    await sleep(1500)
    expect(reclaims).toHaveLength(0) // 19 is below the threshold

    // The 20th arms it; a connection every 400 ms keeps the server from being quiet,
    for (let i = 0; i < 8; i++) {
      await open(server.url)
      await sleep(400)
    }
    // and so does a frame every 300 ms: a conversation is never paused for a collection.
    for (let i = 0; i < 10; i++) {
      talker.client.send({ type: 'ping', t: Date.now() })
      await sleep(300)
    }
    expect(reclaims).toHaveLength(0)
    await expect.poll(() => reclaims.length, { timeout: 5000 }).toBe(1)
    expect(reclaims[0]).toMatchObject({ pauseMs: expect.any(Number), releasedBytes: expect.any(Number) })

    // 26 closes are churn too: the memory they free comes back the same way.
    await closeAll()
    await expect.poll(() => reclaims.length, { timeout: 5000 }).toBe(2)
    await sleep(2500)
    expect(reclaims).toHaveLength(2) // nothing happened since: no third
    await talker.client.close()
  })

  it('never collects with reclaimAfterChurn 0', async () => {
    const reclaims: unknown[] = []
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          if (line.includes('reclaimed memory')) reclaims.push(line)
        }
      }
    )
    server = await startTestServer({ logger, reclaimAfterChurn: 0 })
    for (let i = 0; i < 30; i++) await open(server.url)
    await closeAll()
    await sleep(2500)
    expect(reclaims).toHaveLength(0)
  })
})
