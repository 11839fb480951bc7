import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage, DirectMessage } from '../../shared/protocol'
import { DATABASE_FILE, openHistoryStore, type HistoryStore } from './history-store'

const ann = { id: 'u_ann', nick: 'ann' }
const bob = { id: 'u_bob', nick: 'bob' }
let dir: string
let store: HistoryStore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-history-'))
  store = openHistoryStore(dir)
})

afterEach(async () => {
  store.close()
  await rm(dir, { recursive: true, force: true })
})

function append(room: string, text: string, target = store): Promise<ChatMessage> {
  return new Promise((resolve, reject) =>
    target.appendMessage(room, ann, text, (error, message) => (error ? reject(error) : resolve(message!)))
  )
}

function appendDm(from: typeof ann, to: typeof ann, text: string): Promise<DirectMessage> {
  return new Promise((resolve, reject) =>
    store.appendDm(from, to, text, (error, message) => (error ? reject(error) : resolve(message!)))
  )
}

describe('history store', () => {
  it('commits everything appended in one turn in a single transaction, then calls back in order', async () => {
    store.ensureRoom('general')
    const order: number[] = []
    const done = Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        append('general', `m${i}`).then((message) => order.push(message.id))
      )
    )
    // Nothing is readable (or acknowledged) before the commit.
    expect(store.page('general', 10).messages).toEqual([])
    await done
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(store.counts().messages).toBe(100)
  })

  it('keeps a separate, growing sequence per room', async () => {
    store.ensureRoom('a')
    store.ensureRoom('b')
    expect((await append('a', 'x')).id).toBe(1)
    expect((await append('b', 'y')).id).toBe(1)
    expect((await append('a', 'z')).id).toBe(2)
  })

  it('pages newest-first windows returned oldest-first, with hasMore', async () => {
    store.ensureRoom('general')
    await Promise.all(Array.from({ length: 7 }, (_, i) => append('general', `m${i + 1}`)))
    expect(store.page('general', 3)).toMatchObject({ hasMore: true })
    expect(store.page('general', 3).messages.map((m) => m.id)).toEqual([5, 6, 7])
    expect(store.page('general', 3, 5).messages.map((m) => m.id)).toEqual([2, 3, 4])
    expect(store.page('general', 3, 2)).toMatchObject({ hasMore: false, messages: [{ id: 1, text: 'm1' }] })
    expect(store.messagesAfter('general', 4, 10).messages.map((m) => m.id)).toEqual([5, 6, 7])
    expect(store.messagesAfter('general', 0, 2)).toMatchObject({
      hasMore: true,
      messages: [{ id: 6 }, { id: 7 }]
    })
    expect(store.page('nowhere', 10)).toEqual({ messages: [], hasMore: false })
  })

  it('finds DMs to and from a user after an id', async () => {
    await appendDm(ann, bob, 'one')
    await appendDm(bob, ann, 'two')
    await appendDm(bob, { id: 'u_cy', nick: 'cy' }, 'not ann')
    const forAnn = store.dmsAfter('u_ann', 0, 10).messages
    expect(forAnn.map((dm) => [dm.id, dm.text])).toEqual([
      [1, 'one'],
      [2, 'two']
    ])
    expect(store.dmsAfter('u_ann', 1, 10).messages.map((dm) => dm.text)).toEqual(['two'])
  })

  it('reopens with rooms, sequences and counts intact', async () => {
    store.ensureRoom('dev')
    await append('dev', 'a')
    await append('dev', 'b')
    await appendDm(ann, bob, 'hi')
    store.close()
    store = openHistoryStore(dir)
    expect(store.roomNames()).toContain('dev')
    expect(store.counts()).toEqual({ messages: 2, dms: 1 })
    expect((await append('dev', 'c')).id).toBe(3)
    expect((await appendDm(bob, ann, 'again')).id).toBe(2)
  })

  it('uses WAL and refuses a file from a newer schema with a sentence saying what to do', () => {
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal')
    db.exec('PRAGMA user_version = 99')
    db.close()
    expect(() => openHistoryStore(dir)).toThrow(/newer Parley.*--data/)
  })

  it('saves, replaces, loads and deletes sessions by token hash', () => {
    store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general'] })
    store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general', 'dev'] })
    store.saveSession({ tokenHash: 'h2', user: bob, rooms: [] })
    store.deleteSession('h2')
    store.close()
    store = openHistoryStore(dir)
    expect(store.loadSessions()).toEqual([{ tokenHash: 'h1', user: ann, rooms: ['general', 'dev'] }])
  })

  it('close() commits what is queued first and is safe twice', async () => {
    store.ensureRoom('general')
    const stored = append('general', 'last words')
    store.close()
    store.close()
    expect((await stored).id).toBe(1)
    store = openHistoryStore(dir)
    expect(store.page('general', 5).messages.map((m) => m.text)).toEqual(['last words'])
  })
})
