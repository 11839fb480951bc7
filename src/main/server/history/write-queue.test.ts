/**
 * The commit window (write-queue.ts) on a real SQLite file: messages of separate event-loop turns
 * within the window share one commit, each is acknowledged only after it, and flush() does not wait.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { ChatMessage } from '../../../shared/protocol'
import { DATABASE_FILE, openHistoryStore, type HistoryStore } from '../history-store'

const ann = { id: 'u_ann', nick: 'ann' }
let dir: string
let store: HistoryStore

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-write-queue-'))
  store = openHistoryStore(dir)
  store.ensureRoom('general')
})

afterEach(async () => {
  store.close()
  await rm(dir, { recursive: true, force: true })
})

/** Messages in the file, read by another connection: what is committed, not what waits. */
function committedMessages(): number {
  const db = new DatabaseSync(join(dir, DATABASE_FILE), { readOnly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n
  } finally {
    db.close()
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

it('lets the messages of separate turns within the window share one commit', async () => {
  const acked: string[] = []
  const append = (text: string): Promise<ChatMessage> =>
    new Promise((resolve, reject) =>
      store.appendMessage('general', ann, text, (error, message) => {
        if (error) return reject(error)
        // Acknowledged only once it is in the file.
        expect(committedMessages()).toBeGreaterThanOrEqual(acked.length + 1)
        acked.push(text)
        resolve(message!)
      })
    )
  const first = append('first')
  await nextTurn()
  // A whole turn later the first still waits for others: at one commit per turn it was in by now.
  expect(committedMessages()).toBe(0)
  expect(acked).toEqual([])
  const second = append('second')
  await Promise.all([first, second])
  expect(acked).toEqual(['first', 'second'])
  expect(committedMessages()).toBe(2)
})

it('commits at once on flush, without waiting for the window', () => {
  let acked = false
  store.appendMessage('general', ann, 'now', (error) => {
    expect(error).toBeNull()
    acked = true
  })
  store.flush()
  expect(acked).toBe(true)
  expect(committedMessages()).toBe(1)
})
