/**
 * Test support (imported only by *.test.ts): a real server on an ephemeral loopback port with
 * its own temp data dir, and a client on Node's global WebSocket (the browser API) that queues
 * what it receives so tests can await exact messages.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { WebSocket as WsSocket } from 'ws'
import {
  parseServerMessage,
  type ServerMessage,
  type ServerMessageOf,
  type ServerMessageType
} from '../../src/shared/protocol'
import { createChatServer } from '../../src/main/server/chat-server'
import type { ChatServer, ChatServerOptions } from '../../src/main/server/index'

export interface TestServer {
  server: ChatServer
  port: number
  url: string
  httpUrl: string
  dataDir: string
  /** Closes the server and deletes its data dir. */
  stop(): Promise<void>
}

export async function startTestServer(
  options: Partial<ChatServerOptions> = {},
  dataDir?: string
): Promise<TestServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'parley-test-')))
  const server = createChatServer({ dataDir: dir, port: 0, host: '127.0.0.1', name: 'test', ...options })
  const { port } = await server.listen()
  return {
    server,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    dataDir: dir,
    async stop() {
      await server.close()
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * Closes `previous` (its data dir stays) and starts a new server on the same data dir (with
 * `options`, as a restart with the same flags would need), as a restart would; the new one's
 * stop() removes the dir when the test owns it.
 */
export async function restartTestServer(
  previous: TestServer,
  options: Partial<ChatServerOptions> = {}
): Promise<TestServer> {
  await previous.server.close()
  const restarted = await startTestServer(options, previous.dataDir)
  return {
    ...restarted,
    async stop() {
      await restarted.server.close()
      await rm(previous.dataDir, { recursive: true, force: true })
    }
  }
}

export interface CloseResult {
  code: number
  reason: string
  wasClean: boolean
}

export interface TestClient {
  readonly ws: WebSocket
  /** Every message received so far, in order. */
  readonly log: ServerMessage[]
  readonly closed: Promise<CloseResult>
  send(message: object | string): void
  /** Resolves with the first queued (or next arriving) message of this type, removing it from the queue. */
  next<T extends ServerMessageType>(type: T, timeoutMs?: number): Promise<ServerMessageOf<T>>
  /** Messages of this type currently queued (not yet taken). */
  queued<T extends ServerMessageType>(type: T): ServerMessageOf<T>[]
  close(code?: number, reason?: string): Promise<CloseResult>
}

export function connect(url: string, protocols?: string | string[]): Promise<TestClient> {
  const ws = new WebSocket(url, protocols)
  const log: ServerMessage[] = []
  const queue: ServerMessage[] = []
  const waiters = new Set<() => void>()
  let resolveClosed!: (result: CloseResult) => void
  const closed = new Promise<CloseResult>((resolve) => (resolveClosed = resolve))
  let closeResult: CloseResult | undefined
  ws.addEventListener('message', (event) => {
    const parsed = parseServerMessage(String(event.data))
    if (!parsed.ok)
      throw new Error(`Server sent an invalid message: ${parsed.message}: ${String(event.data)}`)
    log.push(parsed.value)
    queue.push(parsed.value)
    for (const waiter of waiters) waiter()
  })
  ws.addEventListener('close', (event) => {
    closeResult = { code: event.code, reason: event.reason, wasClean: event.wasClean }
    resolveClosed(closeResult)
    for (const waiter of waiters) waiter()
  })

  const client: TestClient = {
    ws,
    log,
    closed,
    send(message) {
      ws.send(typeof message === 'string' ? message : JSON.stringify(message))
    },
    next(type, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const index = queue.findIndex((message) => message.type === type)
          if (index === -1) return false
          const [message] = queue.splice(index, 1)
          resolve(message as ServerMessageOf<typeof type>)
          return true
        }
        if (check()) return
        const closedWhileWaiting = () =>
          new Error(`Socket closed (${closeResult?.code} ${closeResult?.reason}) while waiting for "${type}"`)
        if (closeResult) {
          reject(closedWhileWaiting())
          return
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(
            new Error(`No "${type}" within ${timeoutMs} ms; queued: ${JSON.stringify(queue).slice(0, 500)}`)
          )
        }, timeoutMs)
        const waiter = () => {
          if (check()) {
            clearTimeout(timer)
            waiters.delete(waiter)
          } else if (closeResult) {
            clearTimeout(timer)
            waiters.delete(waiter)
            reject(closedWhileWaiting())
          }
        }
        waiters.add(waiter)
      })
    },
    queued(type) {
      return queue.filter((message) => message.type === type) as ServerMessageOf<typeof type>[]
    },
    close(code = 1000, reason = '') {
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(code, reason)
      return closed
    }
  }
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(client), { once: true })
    ws.addEventListener('error', () => reject(new Error(`Could not connect to ${url}`)), { once: true })
  })
}

/** Connects and says hello; resolves after welcome and the first joined. */
export async function joinAs(
  url: string,
  nick: string,
  extra: Record<string, unknown> = {}
): Promise<{ client: TestClient; welcome: ServerMessageOf<'welcome'> }> {
  const client = await connect(url)
  client.send({ type: 'hello', nick, ...extra })
  const welcome = await client.next('welcome')
  await client.next('joined')
  return { client, welcome }
}

export interface ServerTestFixture {
  /** Clients pushed here are closed after each test (and the list emptied). */
  readonly clients: TestClient[]
  /** joinAs on the current server; the client is closed after the test. */
  join(nick: string, extra?: Record<string, unknown>): ReturnType<typeof joinAs>
}

/**
 * The shared teardown of files that start a server per test: registers an afterEach that closes
 * every tracked client, then stops the server `current()` returns then. Stopping a server a
 * second time is harmless (close and the dir removal are idempotent), so callers need not clear
 * their variable between tests.
 */
export function serverTestFixture(current: () => TestServer | undefined): ServerTestFixture {
  const clients: TestClient[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()))
    await current()?.stop()
  })
  return {
    clients,
    async join(nick, extra = {}) {
      const server = current()
      if (!server) throw new Error('join() before a server was started')
      const joined = await joinAs(server.url, nick, extra)
      clients.push(joined.client)
      return joined
    }
  }
}

/**
 * The shared teardown of files that open plain `ws` sockets to a server started per test: an
 * afterEach terminates every socket pushed onto the returned array, then stops the server
 * `current()` returns then (a second stop is harmless, as for serverTestFixture).
 */
export function socketTestFixture(current: () => TestServer | undefined): WsSocket[] {
  const sockets: WsSocket[] = []
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate()
    await current()?.stop()
  })
  return sockets
}
