/**
 * A token resumes its session only within `sessionResumeMs` of the drop, also across a restart.
 * Real servers on one temp data dir (a real SQLite file), restarted in place; real sockets.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  connect,
  joinAs,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

const WINDOW_MS = 400
// Crash cases leave more room: the restart must come within the window less one stamp interval.
const CRASH_WINDOW_MS = 1600
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const JITI = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
const SERVER_INDEX = fileURLToPath(new URL('./index.ts', import.meta.url))

/**
 * Runs `session` against a server in a child process on `dataDir`, then kills it with SIGKILL:
 * nothing of a clean stop (no drop written) reaches the file.
 */
async function crashAfter(dataDir: string, session: (url: string) => Promise<void>): Promise<void> {
  const script = join(dataDir, 'crashing-server.ts')
  await writeFile(
    script,
    `import { createChatServer } from ${JSON.stringify(SERVER_INDEX)}
const server = createChatServer({ dataDir: ${JSON.stringify(dataDir)}, port: 0, host: '127.0.0.1',
  limits: { sessionResumeMs: ${CRASH_WINDOW_MS} } })
server.listen().then(({ port }) => process.stdout.write('PORT ' + port + '\\n'))
`
  )
  const child = spawn(process.execPath, ['--no-warnings', JITI, script], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
    const port = /PORT (\d+)/.exec(chunk.toString())?.[1]
    if (port === undefined) throw new Error(`child printed ${chunk.toString()}`)
    await session(`ws://127.0.0.1:${port}/ws`)
  } finally {
    child.kill('SIGKILL')
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
  }
}

describe('session resume window across a restart', () => {
  let dir: string
  let server: TestServer | undefined
  const clients: TestClient[] = []
  const start = async (windowMs = WINDOW_MS) =>
    (server = await startTestServer({ limits: { sessionResumeMs: windowMs } }, dir))

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-session-expiry-'))
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await server?.stop()
    server = undefined
    await rm(dir, { recursive: true, force: true })
  })

  async function helloWith(token: string) {
    const client = await connect(server!.url)
    clients.push(client)
    client.send({ type: 'hello', nick: 'ann', session: token })
    return client.next('welcome')
  }

  it('a session dropped longer ago than the window is not resumable after a restart', async () => {
    await start()
    const ann = await joinAs(server!.url, 'ann')
    await ann.client.close()
    await server!.server.close()
    // The server is down for longer than the window (a week, in the real case).
    await sleep(WINDOW_MS + 200)
    await start()
    const welcome = await helloWith(ann.welcome.session)
    expect(welcome.resumed).toBeUndefined()
    expect(welcome.user.id).not.toBe(ann.welcome.user.id)
  })

  it('a session whose socket was open at the stop dropped then, not at its last save', async () => {
    await start()
    const ann = await joinAs(server!.url, 'ann')
    clients.push(ann.client)
    // Live longer than the window: only the drop (the stop) starts the window, not the hello.
    await sleep(WINDOW_MS + 200)
    await server!.server.close()
    await start()
    const welcome = await helloWith(ann.welcome.session)
    expect(welcome).toMatchObject({ resumed: true, user: ann.welcome.user })
  })

  it('after a crash, a session that had a socket dropped at the last live stamp', async () => {
    let token = ''
    let userId = ''
    await crashAfter(dir, async (url) => {
      const ann = await joinAs(url, 'ann')
      clients.push(ann.client)
      token = ann.welcome.session
      userId = ann.welcome.user.id
      // Live for longer than the window: the stamps, not the hello, say when it was last seen.
      await sleep(CRASH_WINDOW_MS + 200)
    })
    await start(CRASH_WINDOW_MS)
    const welcome = await helloWith(token)
    expect(welcome).toMatchObject({ resumed: true, user: { id: userId } })
  })

  it('after a crash, the window of a session that had a socket runs from the crash', async () => {
    let token = ''
    await crashAfter(dir, async (url) => {
      const ann = await joinAs(url, 'ann')
      clients.push(ann.client)
      token = ann.welcome.session
    })
    await sleep(CRASH_WINDOW_MS + 200)
    await start(CRASH_WINDOW_MS)
    const welcome = await helloWith(token)
    expect(welcome.resumed).toBeUndefined()
  })

  it('a restart does not give a dropped session a fresh window', async () => {
    await start()
    const ann = await joinAs(server!.url, 'ann')
    await ann.client.close()
    await sleep(WINDOW_MS / 2)
    await server!.server.close()
    await start()
    // Inside the window at restart, but past it by now: the window counts from the drop.
    await sleep(WINDOW_MS / 2 + 100)
    const welcome = await helloWith(ann.welcome.session)
    expect(welcome.resumed).toBeUndefined()
  })
})
