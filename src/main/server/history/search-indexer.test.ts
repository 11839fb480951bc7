/**
 * Batched search indexing (search-indexer.ts) on real SQLite files: a search sees what waits, an
 * edit or deletion made while a message waited is what gets indexed, a crash's unindexed tail is
 * indexed at the next open, and a room message's own commit no longer writes the index.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../../shared/protocol'
import { DATABASE_FILE, openHistoryStore, type HistoryStore } from '../history-store'
import type { MessageChange } from '../store'
import { INDEX_BATCH, INDEX_EVERY_MS } from './search-indexer'

const ann = { id: 'u_ann', nick: 'ann' }
let dir: string
let store: HistoryStore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-indexer-'))
  store = openHistoryStore(dir)
  store.ensureRoom('general')
})

afterEach(async () => {
  store.close()
  await rm(dir, { recursive: true, force: true })
})

const append = (room: string, text: string): Promise<ChatMessage> =>
  new Promise((resolve, reject) =>
    store.appendMessage(room, ann, text, (error, message) => (error ? reject(error) : resolve(message!)))
  )
const change = (room: string, id: number, what: MessageChange): Promise<ChatMessage> =>
  new Promise((resolve, reject) =>
    store.changeMessage(room, id, what, (error, message) => (error ? reject(error) : resolve(message!)))
  )
const find = (word: string, rooms = ['general']): string[] =>
  store.search({ words: [word], rooms, userId: ann.id, limit: 10 }).messages.map((m) => m.text)

/** Rows in the index, read from the file by another connection (what is committed, not what waits). */
function indexedRows(): number {
  const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM search_rows').get() as { n: number }).n
  } finally {
    db.close()
  }
}

describe('search indexer', () => {
  it('keeps new messages out of their own commit, and indexes them by the timer or before a search', async () => {
    await append('general', 'waiting for the index')
    expect(indexedRows()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, INDEX_EVERY_MS + 200))
    expect(indexedRows()).toBe(1)

    await append('general', 'searched at once')
    expect(indexedRows()).toBe(1)
    expect(find('searched')).toEqual(['searched at once'])
    expect(indexedRows()).toBe(2)
  })

  it('indexes a large commit a bounded batch per turn, and all of it before a search', async () => {
    const count = INDEX_BATCH * 2 + 10
    await Promise.all(Array.from({ length: count }, (_, i) => append('general', `bulk ${i}`)))
    expect(indexedRows()).toBe(0)
    await new Promise((resolve) => setImmediate(resolve))
    expect(indexedRows()).toBe(INDEX_BATCH)
    expect(store.search({ words: ['bulk'], rooms: ['general'], userId: ann.id, limit: 1 }).hasMore).toBe(true)
    expect(indexedRows()).toBe(count)
  })

  it('indexes the text as edited, and nothing of a message deleted while it waited', async () => {
    const edited = await append('general', 'first draft')
    await change('general', edited.id, { kind: 'edit', text: 'final wording' })
    const gone = await append('general', 'regrettable remark')
    await change('general', gone.id, { kind: 'delete' })
    expect(find('draft')).toEqual([])
    expect(find('final')).toEqual(['final wording'])
    expect(find('regrettable')).toEqual([])
    // Edits after indexing still go through the trigger.
    await change('general', edited.id, { kind: 'edit', text: 'final answer' })
    expect(find('wording')).toEqual([])
    expect(find('answer')).toEqual(['final answer'])
  })

  it('indexes, at the next open, what a crash left out of the index, in arrival order', async () => {
    store.ensureRoom('dev')
    await append('general', 'indexed before the crash')
    expect(find('indexed')).toHaveLength(1)
    store.close()
    // What a crash between a commit and its index batch leaves: rows in messages, none in the index.
    const db = new DatabaseSync(join(dir, DATABASE_FILE))
    db.exec(`
      INSERT INTO messages (room, id, from_id, from_nick, text, ts) VALUES ('general', 2, 'u_ann', 'ann', 'lost tail one', 10);
      INSERT INTO messages (room, id, from_id, from_nick, text, ts) VALUES ('dev', 1, 'u_ann', 'ann', 'lost tail two', 11);
      INSERT INTO messages (room, id, from_id, from_nick, text, ts) VALUES ('general', 3, 'u_ann', 'ann', 'lost tail three', 12);
      -- A room with messages but no row in rooms (appends do not require one).
      INSERT INTO messages (room, id, from_id, from_nick, text, ts) VALUES ('attic', 1, 'u_ann', 'ann', 'lost tail four', 13);
    `)
    db.close()
    store = openHistoryStore(dir)
    expect(find('lost', ['general', 'dev', 'attic'])).toEqual([
      'lost tail four',
      'lost tail three',
      'lost tail two',
      'lost tail one'
    ])
    expect(find('indexed')).toHaveLength(1)
    store.close()
    // Nothing is indexed twice by a second open.
    store = openHistoryStore(dir)
    expect(find('tail', ['general', 'dev', 'attic'])).toHaveLength(4)
    expect(indexedRows()).toBe(5)
  })

  it('indexes what waits when the store closes', async () => {
    await append('general', 'closing time')
    store.close()
    expect(indexedRows()).toBe(1)
    store = openHistoryStore(dir)
  })

  it('keeps a batch that failed, closes without retrying on a closed file, and indexes it at the next open', async () => {
    store.close()
    const errors: unknown[] = []
    store = openHistoryStore(dir, { onIndexError: (error) => errors.push(error) })
    store.ensureRoom('general')
    await append('general', 'blocked by a lock')
    // Another writer holds the file's write lock: the index batch cannot commit.
    const other = new DatabaseSync(join(dir, DATABASE_FILE))
    other.exec('BEGIN IMMEDIATE')
    expect(find('blocked')).toEqual([])
    expect(errors).toHaveLength(1)
    store.close()
    expect(errors).toHaveLength(2)
    other.exec('ROLLBACK')
    other.close()
    // Nothing retries on the closed store (a retry would fail on it, or throw from its timer).
    await new Promise((resolve) => setTimeout(resolve, INDEX_EVERY_MS + 200))
    expect(errors).toHaveLength(2)
    // The next open indexes the message.
    store = openHistoryStore(dir)
    expect(find('blocked')).toEqual(['blocked by a lock'])
  })
  it("changes no schema when an up-to-date file opens, and replaces an older file's edit trigger", async () => {
    const schemaOf = (): { version: number; triggers: string[] } => {
      const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
      try {
        const { schema_version: version } = db.prepare('PRAGMA schema_version').get() as {
          schema_version: number
        }
        const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all()
        return { version, triggers: rows.map((row) => String(row.name)) }
      } finally {
        db.close()
      }
    }
    store.close()
    const opened = schemaOf()
    store = openHistoryStore(dir)
    store.close()
    expect(schemaOf()).toEqual(opened)

    // A file from before the batched indexer: its edit trigger had no guard, under the old name.
    const old = new DatabaseSync(join(dir, DATABASE_FILE))
    old.exec('DROP TRIGGER messages_fts_edit')
    old.exec('CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN SELECT 1; END')
    old.close()
    store = openHistoryStore(dir)
    expect(schemaOf().triggers).toEqual(opened.triggers)
    const edited = await append('general', 'before the edit')
    expect(find('before')).toEqual(['before the edit'])
    await change('general', edited.id, { kind: 'edit', text: 'after the edit' })
    expect(find('before')).toEqual([])
    expect(find('after')).toEqual(['after the edit'])
  })
})
