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

  it('opens a schema-1 file (no cid column) in place: old rows kept, cids stored from now on', async () => {
    store.close()
    await rm(dir, { recursive: true, force: true })
    dir = await mkdtemp(join(tmpdir(), 'parley-history-'))
    const old = new DatabaseSync(join(dir, DATABASE_FILE))
    old.exec(`
      CREATE TABLE rooms (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE messages (
        room TEXT NOT NULL, id INTEGER NOT NULL, from_id TEXT NOT NULL, from_nick TEXT NOT NULL,
        text TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (room, id)
      ) WITHOUT ROWID;
      CREATE TABLE dms (
        id INTEGER PRIMARY KEY, from_id TEXT NOT NULL, from_nick TEXT NOT NULL, to_id TEXT NOT NULL,
        to_nick TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL
      );
      INSERT INTO rooms VALUES ('general', 1);
      INSERT INTO messages VALUES ('general', 1, 'u_ann', 'ann', 'from schema 1', 1);
      INSERT INTO dms VALUES (1, 'u_ann', 'ann', 'u_bob', 'bob', 'old dm', 1);
      PRAGMA user_version = 1;
    `)
    old.close()
    store = openHistoryStore(dir)
    const next = await new Promise<ChatMessage>((resolve, reject) =>
      store.appendMessage('general', ann, 'with cid', (e, m) => (e ? reject(e) : resolve(m!)), 'c-1')
    )
    expect(next).toMatchObject({ id: 2, cid: 'c-1' })
    const dm = await new Promise<DirectMessage>((resolve, reject) =>
      store.appendDm(ann, bob, 'new dm', (e, m) => (e ? reject(e) : resolve(m!)), 'd-1')
    )
    store.close()
    store = openHistoryStore(dir)
    const [first, second] = store.page('general', 10).messages
    expect(first).toEqual({ room: 'general', id: 1, from: ann, text: 'from schema 1', ts: 1 })
    expect(second).toMatchObject({ id: 2, cid: 'c-1' })
    expect(store.dmsAfter(bob.id, 0, 10).messages.map((m) => m.cid)).toEqual([undefined, 'd-1'])
    expect(store.findMessageByCid('general', ann.id, 'c-1', 100)).toEqual(second)
    expect(store.findDmByCid(ann.id, bob.id, 'd-1', 100)).toEqual(dm)
    // Schema 6 indexed what the old file held: its messages and DMs are found by search.
    const found = store.search({ words: ['schema'], rooms: ['general'], userId: bob.id, limit: 5 })
    expect(found.messages.map((m) => m.id)).toEqual([1])
    expect(store.search({ words: ['old'], rooms: [], userId: bob.id, limit: 5 }).dms).toHaveLength(1)
    const version = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
    expect(version.prepare('PRAGMA user_version').get()).toEqual({ user_version: 6 })
    version.close()
  })

  it('finds a message by sender and cid only in its room, from its sender, within the window', async () => {
    store.ensureRoom('general')
    store.ensureRoom('dev')
    const mine = await new Promise<ChatMessage>((resolve, reject) =>
      store.appendMessage('general', ann, 'x', (e, m) => (e ? reject(e) : resolve(m!)), 'k')
    )
    for (let i = 0; i < 3; i++) await append('general', `later ${i}`)
    expect(store.findMessageByCid('general', ann.id, 'k', 10)).toEqual(mine)
    expect(store.findMessageByCid('dev', ann.id, 'k', 10)).toBeUndefined()
    expect(store.findMessageByCid('general', bob.id, 'k', 10)).toBeUndefined()
    expect(store.findMessageByCid('general', ann.id, 'k', 3)).toBeUndefined()
    expect(store.messageById('general', mine.id)).toEqual(mine)
  })

  it('saves, replaces, loads and deletes sessions by token hash', () => {
    store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general'], droppedAt: null })
    store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general', 'dev'], droppedAt: 1234 })
    store.saveSession({ tokenHash: 'h2', user: bob, rooms: [], droppedAt: null })
    store.deleteSession('h2')
    store.close()
    store = openHistoryStore(dir)
    expect(store.loadSessions()).toEqual([
      { tokenHash: 'h1', user: ann, rooms: ['general', 'dev'], droppedAt: 1234, lastLive: 1234 }
    ])
  })

  it('a session with a socket counts as live at the last stamp', async () => {
    const savedAt = Date.now()
    store.saveSession({ tokenHash: 'h1', user: ann, rooms: [], droppedAt: null })
    store.saveSession({ tokenHash: 'h2', user: bob, rooms: [], droppedAt: 5 })
    store.flush()
    // Timers may fire a millisecond early by Date.now()'s clock: wait until it has really moved.
    while (Date.now() < savedAt + 20) await new Promise((resolve) => setTimeout(resolve, 5))
    store.markLiveSessions()
    store.close()
    store = openHistoryStore(dir)
    const loaded = new Map(store.loadSessions().map((s) => [s.tokenHash, s.lastLive]))
    expect(loaded.get('h1')).toBeGreaterThanOrEqual(savedAt + 20)
    expect(loaded.get('h2')).toBe(5)
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
