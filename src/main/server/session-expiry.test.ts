/**
 * A token resumes its session only within `sessionResumeMs` of the drop, also across a restart.
 * Real servers on one temp data dir (a real SQLite file), restarted in place; real sockets.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connect, joinAs, startTestServer, type TestClient, type TestServer } from './test-harness'

const WINDOW_MS = 400
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('session resume window across a restart', () => {
  let dir: string
  let server: TestServer | undefined
  const clients: TestClient[] = []
  const start = async () => (server = await startTestServer({ limits: { sessionResumeMs: WINDOW_MS } }, dir))

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
