/**
 * TLS over real sockets: https and wss on one port with a self-signed certificate kept in the
 * data directory, or the operator's own files; clients pin the SHA-256 fingerprint.
 */
import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { SUBPROTOCOL } from '../../shared/protocol'
import {
  PinMismatch,
  nextMessage,
  openPinned,
  presentedFingerprint
} from '../../../test-support/server/pinned-tls'
import { createChatServer, type ChatServer, type ChatServerOptions } from './index'
import { formatFingerprint } from './tls-identity'

const servers: ChatServer[] = []
const dirs: string[] = []
const sockets: WebSocket[] = []

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-tls-'))
  dirs.push(dir)
  return dir
}

async function start(dataDir: string, extra: Partial<ChatServerOptions> = {}) {
  const server = createChatServer({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    name: 'tls-test',
    tls: { selfSigned: true },
    ...extra
  })
  servers.push(server)
  return { server, bound: await server.listen() }
}

describe('TLS', () => {
  it('serves wss:// with protocol v1 to a client pinning the fingerprint it printed, which the port presents', async () => {
    const { bound } = await start(await tempDir())
    expect(bound.tls).toBe(true)
    expect(bound.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(bound.urls).toEqual([`wss://127.0.0.1:${bound.port}/ws`])
    expect(await presentedFingerprint(bound.port)).toBe(bound.fingerprint)

    const ws = await openPinned(bound.urls[0]!, bound.fingerprint!)
    sockets.push(ws)
    expect(ws.protocol).toBe(SUBPROTOCOL)
    const welcome = nextMessage(ws)
    ws.send(JSON.stringify({ type: 'hello', nick: 'ada' }))
    expect(await welcome).toMatchObject({ type: 'welcome', server: { name: 'tls-test' } })
  })

  it('a client pinning another fingerprint is refused before it sends anything', async () => {
    const { bound } = await start(await tempDir())
    const other = 'ab'.repeat(32)
    const error = await openPinned(bound.urls[0]!, other).then(
      (ws) => {
        sockets.push(ws)
        return new Error('connected despite the wrong pin')
      },
      (failure: unknown) => failure
    )
    expect(error).toBeInstanceOf(PinMismatch)
    expect((error as PinMismatch).presented).toBe(bound.fingerprint)
  })

  it('plain ws:// on the TLS port gets no chat', async () => {
    const { bound, server } = await start(await tempDir())
    const ws = new WebSocket(`ws://127.0.0.1:${bound.port}/ws`, SUBPROTOCOL)
    sockets.push(ws)
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'))
      ws.once('error', (error) => resolve(`error: ${error.message}`))
    })
    expect(outcome).toMatch(/^error/)
    expect(server.stats().connections).toBe(0)
  })

  it('keeps the self-signed certificate in the data directory: same fingerprint after a restart', async () => {
    const dataDir = await tempDir()
    const first = await start(dataDir)
    await first.server.close()
    expect(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600)
    const second = await start(dataDir)
    expect(second.bound.fingerprint).toBe(first.bound.fingerprint)
    expect(await presentedFingerprint(second.bound.port)).toBe(first.bound.fingerprint)
  })

  it("serves the operator's own certificate files, and refuses a key that is not the certificate's", async () => {
    const made = await start(await tempDir())
    await made.server.close()
    const dir = dirs[0]!
    const files = { certFile: join(dir, 'tls', 'cert.pem'), keyFile: join(dir, 'tls', 'key.pem') }
    const own = await start(await tempDir(), { tls: files })
    expect(own.bound.fingerprint).toBe(made.bound.fingerprint)

    const stranger = await start(await tempDir())
    await stranger.server.close()
    const mismatched = { certFile: files.certFile, keyFile: join(dirs[2]!, 'tls', 'key.pem') }
    const server = createChatServer({ dataDir: await tempDir(), port: 0, host: '127.0.0.1', tls: mismatched })
    servers.push(server)
    await expect(server.listen()).rejects.toMatchObject({
      code: 'tls_files_invalid',
      message: expect.stringMatching(/cannot be used: the key does not belong to the certificate/)
    })
    expect(server.state).toBe('closed')
  })

  it('answers https:// on the same port (the web client and /healthz)', async () => {
    const { bound } = await start(await tempDir())
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: bound.port, path: '/healthz', rejectUnauthorized: false },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.once('error', reject)
      req.end()
    })
    expect(status).toBe(200)
  })

  it('the CLI with --tls prints the fingerprint of the certificate its port presents (and does not announce on loopback)', async () => {
    const jiti = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        jiti,
        cli,
        '--tls',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--no-static',
        '--data',
        await tempDir()
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    try {
      let output = ''
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the CLI did not start: ${output}`)), 15_000)
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes('Press Ctrl+C')) {
            clearTimeout(timer)
            resolve()
          }
        })
        child.once('exit', (code) => reject(new Error(`the CLI exited (${code}): ${output}`)))
      })
      const port = Number(/wss:\/\/127\.0\.0\.1:(\d+)\/ws/.exec(output)?.[1])
      const printed = /TLS certificate SHA-256 fingerprint: ([0-9a-f]{64})/.exec(output)?.[1]
      expect(printed).toBe(await presentedFingerprint(port))
      expect(output).toContain('Not announced on the local network (bound to a loopback address).')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('formats a fingerprint the way browsers show one', () => {
    expect(formatFingerprint('0a1b'.repeat(16))).toMatch(/^0A:1B:0A:1B(:[0-9A-F]{2}){28}$/)
  })
})
