/** The host service against the real chat server on loopback, with real WebSocket clients. */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SUBPROTOCOL } from '../shared/protocol'
import { IpcError, type HostConnection, type HostStatus } from '../shared/ipc'
import { createChatServer } from './server/index'
import { orderConnections } from './connection-snapshots'
import { createHostService, type HostService } from './host-service'

let dir: string
let host: HostService
const cleanups: (() => unknown)[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-host-'))
  host = createHostService({
    createServer: createChatServer,
    dataDir: join(dir, 'data'),
    snapshotIntervalMs: 20
  })
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await host.stop()
  rmSync(dir, { recursive: true, force: true })
})

function running(status: HostStatus): Extract<HostStatus, { state: 'running' }> {
  if (status.state !== 'running') throw new Error(`expected running, got ${status.state}`)
  return status
}

/** Resolves with the first snapshot that satisfies `predicate`. */
function snapshotWhere(predicate: (rows: HostConnection[]) => boolean): Promise<HostConnection[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching snapshot within 5 s')), 5000)
    const off = host.onConnections((rows) => {
      if (!predicate(rows)) return
      clearTimeout(timer)
      off()
      resolve(rows)
    })
  })
}

async function joinAs(url: string, nick: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(url, SUBPROTOCOL)
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  cleanups.push(() => socket.terminate())
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  const welcomed = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'welcome') resolve()
    })
  )
  socket.send(JSON.stringify({ type: 'hello', nick }))
  await welcomed
  return { socket, closed }
}

async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  return { server, port: (server.address() as { port: number }).port }
}

describe('host service', () => {
  it('starts on loopback, reports its URLs, and streams who is connected', async () => {
    const states: string[] = []
    cleanups.push(host.onStatusChanged((s) => states.push(s.state)))
    const status = running(await host.start({ port: 0, name: 'Den', scope: 'local' }))
    expect(status.port).toBeGreaterThan(0)
    expect(status.selfUrl).toBe(`ws://127.0.0.1:${status.port}/ws`)
    expect(status.urls).toEqual([`ws://127.0.0.1:${status.port}/ws`])
    expect(status).toMatchObject({ name: 'Den', scope: 'local', requestedPort: 0, passwordProtected: false })
    expect(states).toEqual(['starting', 'running'])
    expect(host.isHosting).toBe(true)

    const seen = snapshotWhere((rows) => rows.some((row) => row.nick === 'grace' && row.state === 'open'))
    await joinAs(status.selfUrl, 'grace')
    const rows = await seen
    expect(rows[0]).toMatchObject({
      nick: 'grace',
      state: 'open',
      remoteAddress: expect.stringContaining('127.0.0.1')
    })
    expect(host.connections().map((row) => row.nick)).toContain('grace')
  })

  it('stop closes every client with 1001 and keeps the closed rows for the Server tab', async () => {
    const status = running(await host.start({ port: 0, name: 'Den', scope: 'local' }))
    const grace = await joinAs(status.selfUrl, 'grace')
    const lastSnapshot = snapshotWhere(
      (rows) => rows.length > 0 && rows.every((row) => row.state === 'closed')
    )
    expect(await host.stop()).toEqual({ state: 'stopped' })
    expect(await grace.closed).toBe(1001)
    const rows = await lastSnapshot
    expect(rows[0]).toMatchObject({ nick: 'grace', state: 'closed', code: 1001 })
    expect(host.connections()[0]).toMatchObject({ code: 1001 })
    expect(host.isHosting).toBe(false)
    // A second stop is harmless.
    expect(await host.stop()).toEqual({ state: 'stopped' })
  })

  it('injects faults into one connection, shows them in the snapshot, and refuses when not hosting', async () => {
    expect(() => host.injectFault('nope', { drop: true })).toThrow(
      expect.objectContaining({ code: 'not_hosting' })
    )
    const status = running(await host.start({ port: 0, name: 'Den', scope: 'local' }))
    const grace = await joinAs(status.selfUrl, 'grace')
    const row = (await snapshotWhere((rows) => rows.some((r) => r.nick === 'grace'))).find(
      (r) => r.nick === 'grace'
    )!
    const marked = snapshotWhere((rows) => rows.some((r) => r.id === row.id && r.faults?.delayMs === 250))
    expect(host.injectFault(row.id, { delayMs: 250 })).toEqual({ delayMs: 250 })
    await marked
    expect(host.clearFaults(row.id)).toEqual({})
    expect(host.injectFault(row.id, { closeCode: 4001, reason: 'from the host' })).toEqual({})
    expect(await grace.closed).toBe(4001)
    expect(() => host.injectFault(row.id, { drop: true })).toThrow(
      expect.objectContaining({ code: 'no_such_connection' })
    )
  })

  it('moves to the next free port when the requested one is taken', async () => {
    const { port } = await occupyPort()
    const status = running(await host.start({ port, name: 'Den', scope: 'local' }))
    expect(status.requestedPort).toBe(port)
    expect(status.port).toBeGreaterThan(port)
    expect(status.port).toBeLessThan(port + 20)
  })

  it('fails with a clear port_in_use error when fallback is off, and reports it in the status', async () => {
    const { port } = await occupyPort()
    const error = await host
      .start({ port, name: 'Den', scope: 'local', portFallback: false })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IpcError)
    expect((error as IpcError).code).toBe('port_in_use')
    expect((error as IpcError).message).toBe(
      `Port ${port} is already in use by another program. Choose another port, or allow the next free one.`
    )
    expect(host.status()).toMatchObject({ state: 'stopped', lastError: { code: 'port_in_use' } })
    expect(host.isHosting).toBe(false)
  })

  it('refuses a second start while hosting, even when both calls race', async () => {
    const [first, second] = await Promise.allSettled([
      host.start({ port: 0, name: 'A', scope: 'local' }),
      host.start({ port: 0, name: 'B', scope: 'local' })
    ])
    expect(first.status).toBe('fulfilled')
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'already_hosting' } })
  })

  it('asks every joiner for the password when one is set', async () => {
    const status = running(await host.start({ port: 0, name: 'Den', scope: 'local', password: 's3cret' }))
    expect(status.passwordProtected).toBe(true)
    const socket = new WebSocket(status.selfUrl, SUBPROTOCOL)
    cleanups.push(() => socket.terminate())
    const code = new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)))
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', nick: 'eve', password: 'wrong' })))
    expect(await code).toBe(4401)
  })

  it('asks the server for every interface when hosting for the local network', async () => {
    // Tests only ever listen on loopback: record what the service asks for, then bind 127.0.0.1.
    const requested: (string | undefined)[] = []
    const lan = createHostService({
      createServer: (options) => {
        requested.push(options.host)
        return createChatServer({ ...options, host: '127.0.0.1' })
      },
      dataDir: join(dir, 'lan')
    })
    cleanups.push(() => lan.stop())
    const status = running(await lan.start({ port: 0, name: 'Den', scope: 'lan' }))
    expect(requested).toEqual(['0.0.0.0'])
    expect(status.scope).toBe('lan')
    expect(status.selfUrl).toBe(`ws://127.0.0.1:${status.port}/ws`)
  })
})

describe('orderConnections', () => {
  it('lists open connections oldest first, then closed ones latest first, capped', () => {
    const row = (id: string, state: 'open' | 'closed', openedAt: number, closedAt?: number) => ({
      id,
      remoteAddress: '127.0.0.1',
      openedAt,
      state,
      messagesIn: 0,
      messagesOut: 0,
      bufferedAmount: 0,
      closedAt
    })
    const ordered = orderConnections([
      row('c1', 'closed', 1, 5),
      row('o2', 'open', 3),
      row('o1', 'open', 2),
      row('c2', 'closed', 1, 9)
    ])
    expect(ordered.map((r) => r.id)).toEqual(['o1', 'o2', 'c2', 'c1'])
    expect(orderConnections([row('a', 'open', 1), row('b', 'open', 2)], 1).map((r) => r.id)).toEqual(['a'])
  })
})
