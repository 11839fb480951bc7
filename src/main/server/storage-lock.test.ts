/**
 * Another process holding the SQLite write lock (a second Parley on the same --data dir, a
 * sqlite3 shell) must not freeze the server: node:sqlite is synchronous, so every millisecond
 * of busy wait stalls every client. The commit gives up quickly and the sender gets 1011.
 * The lock holder is a real child process on the real file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../../shared/close-codes'
import { DATABASE_FILE } from './history-store'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

// Held for less than the old 2 s busy timeout: a server that waits that long would get the lock
// in the end and acknowledge, having frozen every client for the whole wait.
const HOLD_MS = 1500
const LOCK_HOLDER = `
const { DatabaseSync } = require('node:sqlite')
const db = new DatabaseSync(process.argv[1])
db.exec('BEGIN IMMEDIATE')
const release = () => { db.exec('ROLLBACK'); db.close(); process.exit(0) }
setTimeout(release, ${HOLD_MS})
process.stdin.once('data', release)
process.stdout.write('locked\\n')
`

function holdWriteLock(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--no-warnings', '-e', LOCK_HOLDER, file], {
    stdio: ['pipe', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)))
    child.stdout!.once('data', () => resolve(child))
  })
}

describe('a write lock held by another process', () => {
  let server: TestServer | undefined
  let holder: ChildProcess | undefined
  const clients: TestClient[] = []
  afterEach(async () => {
    if (holder && holder.exitCode === null) {
      holder.stdin!.end('release\n')
      await once(holder, 'exit')
    }
    holder = undefined
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await server?.stop()
    server = undefined
  })

  it('fails the commit at once with 1011 instead of waiting for the lock', async () => {
    server = await startTestServer()
    const ann = await joinAs(server.url, 'ann')
    clients.push(ann.client)
    const child = await holdWriteLock(join(server.dataDir, DATABASE_FILE))
    holder = child
    const exited = once(child, 'exit')
    ann.client.send({ type: 'send', room: 'general', text: 'while locked', cid: 'l' })
    const closed = await Promise.race([ann.client.closed, exited.then(() => 'lock released' as const)])
    expect(closed).toMatchObject({ code: CloseCode.InternalError })
    expect(ann.client.queued('message')).toEqual([])
  })
})
