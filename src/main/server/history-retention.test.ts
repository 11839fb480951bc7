/**
 * Retention on real SQLite files: the store writes with a controlled clock (only Date is faked;
 * the write queue's setImmediate is real), prunes, and the file is read back directly.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { User } from '../../shared/protocol'
import { DATABASE_FILE, openHistoryStore, type HistoryStore } from './history-store'
import { createHistoryPruner, scheduleRetention, type PruneStep } from './history-retention'
import {
  connect,
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

const DAY = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2026, 5, 1)
const ann: User = { id: 'u_ann', nick: 'ann' }
const bob: User = { id: 'u_bob', nick: 'bob' }

let dir: string
let store: HistoryStore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-retention-'))
  store = openHistoryStore(dir)
})

afterEach(async () => {
  vi.useRealTimers()
  store.close()
  await rm(dir, { recursive: true, force: true })
})

/** Appends at `ts` and waits for the commit. */
async function messageAt(room: string, ts: number, text = `at ${ts}`): Promise<number> {
  vi.useFakeTimers({ toFake: ['Date'], now: ts })
  store.ensureRoom(room)
  const pending = new Promise<number>((resolve, reject) =>
    store.appendMessage(room, ann, text, (error, stored) => (error ? reject(error) : resolve(stored!.id)))
  )
  vi.useRealTimers()
  return pending
}

async function dmAt(ts: number): Promise<number> {
  vi.useFakeTimers({ toFake: ['Date'], now: ts })
  const pending = new Promise<number>((resolve, reject) =>
    store.appendDm(ann, bob, `dm at ${ts}`, (error, stored) => (error ? reject(error) : resolve(stored!.id)))
  )
  vi.useRealTimers()
  return pending
}

/** What is on disk, read by a second connection to the real file. */
function onDisk(): { rooms: Record<string, number[]>; dms: number[] } {
  const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
  try {
    const rooms: Record<string, number[]> = {}
    for (const row of db.prepare('SELECT room, id FROM messages ORDER BY room, id').all() as {
      room: string
      id: number
    }[]) {
      ;(rooms[row.room] ??= []).push(row.id)
    }
    const dms = (db.prepare('SELECT id FROM dms ORDER BY id').all() as { id: number }[]).map((row) => row.id)
    return { rooms, dms }
  } finally {
    db.close()
  }
}

function pruneAll(policy: Parameters<HistoryStore['prune']>[0], maxSteps = 100): PruneStep[] {
  const steps: PruneStep[] = []
  for (let i = 0; i < maxSteps; i++) {
    const step = store.prune(policy, NOW)
    steps.push(step)
    if (!step.more) return steps
  }
  throw new Error(`retention still had work after ${maxSteps} steps`)
}

describe('history retention', () => {
  it('--history-max keeps the newest N of each room and touches nothing else', async () => {
    for (let i = 0; i < 10; i++) await messageAt('big', NOW - i * 1000)
    for (let i = 0; i < 2; i++) await messageAt('small', NOW - 100 * DAY)
    await dmAt(NOW - 100 * DAY)
    const steps = pruneAll({ maxPerRoom: 3 })
    expect(steps.reduce((sum, step) => sum + step.messages, 0)).toBe(7)
    expect(onDisk()).toEqual({ rooms: { big: [8, 9, 10], small: [1, 2] }, dms: [1] })
    expect(store.counts()).toEqual({ messages: 5, dms: 1 })
    // A second pass finds nothing to do.
    expect(store.prune({ maxPerRoom: 3 }, NOW)).toEqual({ messages: 0, dms: 0, more: false })
  })

  it('--history-days deletes older messages and DMs, never the newest of a room or of the DMs', async () => {
    for (const age of [10, 8, 6, 1]) await messageAt('mixed', NOW - age * DAY)
    for (const age of [30, 20]) await messageAt('stale', NOW - age * DAY)
    for (const age of [9, 8]) await dmAt(NOW - age * DAY)
    // Exactly at the cutoff is kept: "older than N days" is strict.
    await messageAt('edge', NOW - 7 * DAY)
    pruneAll({ maxAgeDays: 7 })
    expect(onDisk()).toEqual({ rooms: { mixed: [3, 4], stale: [2], edge: [1] }, dms: [2] })
    expect(store.counts()).toEqual({ messages: 4, dms: 1 })
  })

  it('applies both limits together', async () => {
    for (const age of [9, 3, 2, 1, 0]) await messageAt('general', NOW - age * DAY)
    pruneAll({ maxAgeDays: 7, maxPerRoom: 2 })
    expect(onDisk().rooms).toEqual({ general: [4, 5] })
  })

  it('works in bounded steps, and ids keep growing after a restart', async () => {
    for (let i = 0; i < 25; i++) await messageAt('general', NOW - 50 * DAY + i)
    store.close()
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    const pruner = createHistoryPruner(db)
    const steps = [1, 2, 3, 4].map(() => pruner.step({ maxAgeDays: 1 }, NOW, 10))
    db.close()
    expect(steps).toEqual([
      { messages: 10, dms: 0, more: true },
      { messages: 10, dms: 0, more: true },
      { messages: 4, dms: 0, more: false },
      { messages: 0, dms: 0, more: false }
    ])
    store = openHistoryStore(dir)
    expect(onDisk().rooms).toEqual({ general: [25] })
    expect(store.counts().messages).toBe(1)
    expect(await messageAt('general', NOW)).toBe(26)
  })
})

describe('history pruner', () => {
  it('never deletes what is kept when messages arrive between the steps of a pass', async () => {
    for (let i = 0; i < 10; i++) await messageAt('general', NOW)
    store.close()
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    const pruner = createHistoryPruner(db)
    const insert = db.prepare(
      "INSERT INTO messages (room, id, from_id, from_nick, text, ts) VALUES ('general', ?, 'u_ann', 'ann', 'late', ?)"
    )
    expect(pruner.step({ maxPerRoom: 3 }, NOW, 2)).toEqual({ messages: 2, dms: 0, more: true })
    for (let id = 11; id <= 15; id++) insert.run(id, NOW)
    const ids = () =>
      (db.prepare('SELECT id FROM messages ORDER BY id').all() as { id: number }[]).map((r) => r.id)
    for (let i = 0; i < 20 && pruner.step({ maxPerRoom: 3 }, NOW, 2).more; i++) {
      // At every point the newest 3 are there.
      expect(ids().slice(-3)).toEqual([13, 14, 15])
    }
    pruner.step({ maxPerRoom: 3 }, NOW, 2)
    expect(ids()).toEqual([13, 14, 15])
    db.close()
    store = openHistoryStore(dir)
  })
})

describe('scheduleRetention', () => {
  it('chains steps until none is due, reports the pass once, and stops when asked', async () => {
    let due = 5
    const calls: number[] = []
    const reported: { messages: number; dms: number }[] = []
    const stop = scheduleRetention({
      policy: { maxPerRoom: 1 },
      intervalMs: 60_000,
      step: () => {
        calls.push(due)
        due -= 1
        return { messages: 10, dms: 1, more: due > 0 }
      },
      onPruned: (removed) => reported.push(removed),
      onError: (error) => {
        throw error
      }
    })
    const deadline = Date.now() + 2000
    while (reported.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setImmediate(resolve))
    stop()
    expect(calls).toEqual([5, 4, 3, 2, 1])
    expect(reported).toEqual([{ messages: 50, dms: 5 }])
  })
})

describe('retention on a running server', () => {
  let server: TestServer | undefined
  const clients: TestClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
    await server?.stop()
    server = undefined
  })

  it('prunes while clients chat; a resume from a deleted id gets what is kept, the gap visible in ids', async () => {
    server = await startTestServer({ historyMax: 5, retentionIntervalMs: 50 })
    const { client: writer, welcome } = await joinAs(server.url, 'writer')
    clients.push(writer)
    for (let i = 1; i <= 20; i++) {
      writer.send({ type: 'send', room: 'general', text: `m${i}`, cid: `c${i}` })
      await writer.next('message')
    }
    const deadline = Date.now() + 5000
    while (server.server.stats().messagesStored > 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(server.server.stats().messagesStored).toBe(5)

    const reader = await connect(server.url)
    clients.push(reader)
    // The writer's own session, resumed from message 2, long since deleted.
    await writer.close(4000, 'network went away')
    reader.send({ type: 'hello', nick: 'writer', session: welcome.session, resume: { general: 2 } })
    expect(await reader.next('welcome')).toMatchObject({ resumed: true })
    const joined = await reader.next('joined')
    expect(joined.history.map((message) => message.id)).toEqual([16, 17, 18, 19, 20])
    expect(joined.hasMore).toBeUndefined()
  })
})
