/**
 * `parley-server backup` is the real CLI in its own process (TypeScript through jiti, as in
 * durability.test.ts), copying the real SQLite file while this process's server takes a burst.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { BackupError, backupDatabase } from './database-backup'
import { DATABASE_FILE } from './history-store'
import {
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

const JITI = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

const servers: TestServer[] = []
const clients: TestClient[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(servers.splice(0).map((server) => server.stop()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-backup-'))
  dirs.push(dir)
  return dir
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--no-warnings', JITI, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`backup did not finish in 20 s: ${stdout}${stderr}`))
    }, 20_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function storedIds(file: string): Set<number> {
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    const rows = db.prepare("SELECT id FROM messages WHERE room = 'general'").all() as { id: number }[]
    return new Set(rows.map((row) => row.id))
  } finally {
    db.close()
  }
}

describe('parley-server backup', () => {
  it('copies, during a burst, every message acknowledged before it started; the copy restores', async () => {
    const server = await startTestServer({ limits: { rateBurst: 1_000_000, ratePerSecond: 1_000_000 } })
    servers.push(server)
    const { client: writer } = await joinAs(server.url, 'writer')
    clients.push(writer)
    const acked = new Set<number>()
    writer.ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; cid?: string; id: number }
      if (message.type === 'message' && message.cid !== undefined) acked.add(message.id)
    })

    // A steady burst (10 messages every 5 ms, at most 30,000) that runs before, during and after.
    const MAX_MESSAGES = 30_000
    let sent = 0
    let bursting = true
    const burst = (async () => {
      while (bursting && sent < MAX_MESSAGES) {
        for (let i = 0; i < 10; i++, sent++) {
          writer.send({ type: 'send', room: 'general', text: `burst ${sent}`, cid: `b${sent}` })
        }
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    const deadline = Date.now() + 10_000
    while (acked.size < 500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(acked.size).toBeGreaterThanOrEqual(500)

    const dir = await tempDir()
    const file = join(dir, 'parley-backup.sqlite')
    const ackedBefore = new Set(acked)
    const result = await runCli(['backup', file, '--data', server.dataDir])
    const ackedDuring = acked.size - ackedBefore.size
    bursting = false
    await burst

    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Backed up \d+ messages and 0 direct messages to .*parley-backup\.sqlite/)
    // The server kept acknowledging while the copy was taken: the backup was online.
    expect(ackedDuring).toBeGreaterThan(0)
    const inBackup = storedIds(file)
    const missing = [...ackedBefore].filter((id) => !inBackup.has(id))
    expect(missing).toEqual([])
    // No partial file is left beside the backup.
    expect(readdirSync(dir)).toEqual(['parley-backup.sqlite'])

    // Restore as docs/deploy.md says: the backup becomes parley.sqlite of a data dir with no -wal/-shm.
    const restoredDir = join(await tempDir(), 'data')
    mkdirSync(restoredDir)
    copyFileSync(file, join(restoredDir, DATABASE_FILE))
    const restored = await startTestServer({}, restoredDir)
    servers.push(restored)
    const newest = Math.max(...inBackup)
    const { client: reader } = await joinAs(restored.url, 'reader')
    clients.push(reader)
    expect(restored.server.stats().messagesStored).toBe(inBackup.size)
    reader.send({ type: 'send', room: 'general', text: 'after restore', cid: 'r1' })
    const own = await reader.next('message')
    // Ids continue after the newest backed-up message, so resume ids stay meaningful.
    expect(own.id).toBe(newest + 1)
  }, 40_000)

  it('refuses to overwrite, to copy nothing, or to write into a missing folder, with a code', async () => {
    const dir = await tempDir()
    const existing = join(dir, 'taken.sqlite')
    writeFileSync(existing, 'keep me')
    const server = await startTestServer({}, join(dir, 'data'))
    servers.push(server)
    const attempts: [() => unknown, string][] = [
      [() => backupDatabase(server.dataDir, existing), 'target_exists'],
      [() => backupDatabase(join(dir, 'nowhere'), join(dir, 'x.sqlite')), 'no_database'],
      [() => backupDatabase(server.dataDir, join(dir, 'no', 'such', 'x.sqlite')), 'target_dir_missing']
    ]
    for (const [attempt, code] of attempts) {
      expect(attempt).toThrow(BackupError)
      try {
        attempt()
      } catch (error) {
        expect((error as BackupError).code).toBe(code)
      }
    }
    expect(existsSync(join(dir, 'nowhere', DATABASE_FILE))).toBe(false)
    const result = await runCli(['backup', existing, '--data', server.dataDir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^parley-server backup: .*taken\.sqlite already exists/)
  }, 30_000)
})
