/**
 * Durability and process lifecycle with real child processes: the server runs in its own Node
 * process (TypeScript loaded by jiti, no build step), is killed with SIGKILL mid-stream, and is
 * restarted on the same data dir; the CLI is stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../shared/protocol'
import { connect, type TestClient } from '../../../test-support/server/test-harness'

const JITI = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
const SERVER_INDEX = fileURLToPath(new URL('./index.ts', import.meta.url))
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

const children: ChildProcess[] = []
const clients: TestClient[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-durability-'))
  dirs.push(dir)
  return dir
}

/** Spawns a process and resolves with the first stdout match of `pattern`. */
function spawnUntil(
  args: string[],
  pattern: RegExp
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--no-warnings', JITI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`child did not print ${pattern}: ${output}`)), 15_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(pattern)
      if (match) {
        clearTimeout(timer)
        resolve({ child, match })
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`child exited (${code}) early: ${output}`))
    })
  })
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

/** Runs createChatServer in a child process on `<dir>/data`. */
async function startServerProcess(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const dataDir = join(dir, 'data')
  const script = join(dir, 'server.ts')
  await writeFile(
    script,
    `import { createChatServer } from ${JSON.stringify(SERVER_INDEX)}
const server = createChatServer({
  dataDir: ${JSON.stringify(dataDir)}, port: 0, host: '127.0.0.1', name: 'child',
  limits: { rateBurst: 1000000, ratePerSecond: 1000000 }
})
server.listen().then(({ port }) => process.stdout.write('PORT ' + port + '\\n'))
process.on('SIGTERM', () => server.close().then(() => process.exit(0)))
`
  )
  const { child, match } = await spawnUntil([script], /PORT (\d+)/)
  return { child, url: `ws://127.0.0.1:${match[1]}/ws` }
}

async function hello(url: string, nick: string): Promise<TestClient> {
  const client = await connect(url)
  clients.push(client)
  client.send({ type: 'hello', nick })
  await client.next('welcome')
  return client
}

describe('durability', () => {
  it('kill -9 mid-stream keeps every acknowledged message; ids keep growing after restart', async () => {
    const dataDir = await tempDir()
    const first = await startServerProcess(dataDir)
    const writer = await hello(first.url, 'writer')
    await writer.next('joined')

    const total = 3000
    const acked = new Map<string, ChatMessage>()
    let resolveEnough!: () => void
    const enough = new Promise<void>((resolve) => (resolveEnough = resolve))
    writer.ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data))
      if (message.type === 'message' && message.cid) {
        acked.set(message.cid, message)
        if (acked.size === 500) resolveEnough()
      }
    })
    for (let i = 0; i < total; i++)
      writer.send({ type: 'send', room: 'general', text: `n${i}`, cid: `c${i}` })
    await enough
    first.child.kill('SIGKILL')
    expect((await exited(first.child)).signal).toBe('SIGKILL')
    await writer.closed
    expect(acked.size).toBeGreaterThanOrEqual(500)

    const second = await startServerProcess(dataDir)
    const reader = await hello(second.url, 'reader')
    const joined = await reader.next('joined')
    expect(joined.history).toHaveLength(50)
    expect(joined.hasMore).toBe(true)

    const stored: ChatMessage[] = [...joined.history]
    let before = joined.history[0]!.id
    for (let page = 0; page < 100 && before > 1; page++) {
      reader.send({ type: 'history', room: 'general', before, limit: 200 })
      const older = await reader.next('history')
      stored.unshift(...older.messages)
      before = older.messages[0]?.id ?? 1
    }
    const ids = stored.map((message) => message.id)
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1))
    const byId = new Map(stored.map((message) => [message.id, message]))
    for (const message of acked.values()) {
      expect(byId.get(message.id)).toMatchObject({ text: message.text, from: { nick: 'writer' } })
    }

    reader.send({ type: 'send', room: 'general', text: 'after restart', cid: 'r' })
    const next = await reader.next('message')
    expect(next.id).toBe(ids.length + 1)

    // Graceful stop of the restarted server: 1001 to the client, exit 0.
    second.child.kill('SIGTERM')
    expect((await reader.closed).code).toBe(1001)
    expect(await exited(second.child)).toEqual({ code: 0, signal: null })
  })
})

describe('a resend after kill -9', () => {
  it('is acknowledged with the message the killed server committed, which stays stored once', async () => {
    const dataDir = await tempDir()
    const first = await startServerProcess(dataDir)
    const bob = await hello(first.url, 'bob')
    const ann = await hello(first.url, 'ann')
    const session = ann.log.find((message) => message.type === 'welcome')!.session
    ann.send({ type: 'send', room: 'general', text: 'committed, then killed', cid: 'k-1' })
    // Bob's copy is sent only after the commit: the message is on disk when the server dies.
    const original = await bob.next('message')
    first.child.kill('SIGKILL')
    await exited(first.child)

    const second = await startServerProcess(dataDir)
    const back = await connect(second.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'ann', session })
    expect((await back.next('welcome')).resumed).toBe(true)
    back.send({ type: 'send', room: 'general', text: 'committed, then killed', cid: 'k-1' })
    expect(await back.next('message')).toEqual({ ...original, cid: 'k-1' })
    back.send({ type: 'history', room: 'general' })
    const { type: _message, ...stored } = original
    expect((await back.next('history')).messages).toEqual([{ ...stored, cid: 'k-1' }])
  })
})

describe('message changes after kill -9', () => {
  it('keeps every announced edit, deletion, reaction and reply, and change numbers keep growing', async () => {
    const dataDir = await tempDir()
    const first = await startServerProcess(dataDir)
    const ann = await hello(first.url, 'ann')
    await ann.next('joined')
    ann.send({ type: 'send', room: 'general', text: 'typo', cid: 'a' })
    const a = await ann.next('message')
    ann.send({ type: 'send', room: 'general', text: 'regret', cid: 'b' })
    const b = await ann.next('message')
    ann.send({ type: 'send', room: 'general', text: 'answer', cid: 'c', replyTo: a.id })
    const c = await ann.next('message')
    ann.send({ type: 'edit', room: 'general', id: a.id, text: 'fixed' })
    ann.send({ type: 'delete', room: 'general', id: b.id })
    ann.send({ type: 'react', room: 'general', id: c.id, emoji: '✅', on: true })
    // Each is announced only once durable: after the third, all three are on disk.
    await ann.next('edited')
    await ann.next('deleted')
    const reacted = await ann.next('reactions')
    first.child.kill('SIGKILL')
    await exited(first.child)

    const second = await startServerProcess(dataDir)
    const reader = await hello(second.url, 'reader')
    const joined = await reader.next('joined')
    expect(joined.rev).toBe(reacted.rev)
    const byId = new Map(joined.history.map((m) => [m.id, m]))
    expect(byId.get(a.id)).toMatchObject({ text: 'fixed', editedAt: expect.any(Number) })
    expect(byId.get(b.id)).toMatchObject({ text: '', deleted: true })
    expect(byId.get(c.id)).toMatchObject({ replyTo: a.id, reactions: [{ emoji: '✅', users: [a.from.id] }] })
    reader.send({ type: 'react', room: 'general', id: c.id, emoji: '👀', on: true })
    expect((await reader.next('reactions')).rev).toBe(reacted.rev + 1)
    second.child.kill('SIGTERM')
    await exited(second.child)
  })
})

describe('headless CLI', () => {
  it('prints its URLs, logs connections, and on SIGTERM sends 1001 to all and exits 0 within 5 s', async () => {
    const dataDir = await tempDir()
    const { child, match } = await spawnUntil(
      [CLI, '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--no-static', '--name', 'cli-test'],
      /ws:\/\/127\.0\.0\.1:(\d+)\/ws/
    )
    let logs = ''
    child.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()))
    const url = match[0]
    const a = await hello(url, 'a')
    const b = await hello(url, 'b')
    expect((await fetch(url.replace('ws:', 'http:').replace('/ws', '/healthz'))).status).toBe(200)

    const stoppedAt = Date.now()
    child.kill('SIGTERM')
    const results = await Promise.all([a.closed, b.closed, exited(child)])
    expect(results[0].code).toBe(1001)
    expect(results[1].code).toBe(1001)
    expect(results[2]).toEqual({ code: 0, signal: null })
    expect(Date.now() - stoppedAt).toBeLessThan(5000)
    const closedLines = logs
      .split('\n')
      .filter((line) => line.includes('"connection closed"'))
      .map((line) => JSON.parse(line))
    expect(closedLines.map((line) => line.code)).toEqual([1001, 1001])
  })

  it('refuses bad flags with exit code 2 and the usage', async () => {
    const child = spawn(process.execPath, ['--no-warnings', JITI, CLI, '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    children.push(child)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    expect((await exited(child)).code).toBe(2)
    expect(stderr).toMatch(/--port must be a whole number/)
    expect(stderr).toMatch(/Usage: parley-server/)
  })
})
