/**
 * The headless server's mDNS announcement, seen by an independent implementation: the real CLI
 * runs inside a private network namespace (nothing leaves the machine) next to avahi-daemon,
 * and avahi-browse resolves what it hears. Where the namespace cannot be made, every test here
 * is skipped with the reason printed; on CI (CI=true) that is a failure instead, so a missing
 * package cannot pass as green.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  LAN_ADDRESS,
  namespaceUnavailable,
  startLanNamespace,
  type BrowsedService,
  type LanNamespace
} from '../../../test-support/lan-namespace'

const JITI = fileURLToPath(new URL('../../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

const unavailable = namespaceUnavailable()
if (unavailable) {
  const message = `mDNS namespace tests skipped: ${unavailable}`
  if (process.env.CI) throw new Error(`${message}. CI must install what these tests need.`)
  console.warn(message)
}

let lan: LanNamespace
const dirs: string[] = []

beforeAll(async () => {
  if (!unavailable) lan = await startLanNamespace()
}, 30_000)
afterAll(async () => {
  await lan?.close()
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-mdns-'))
  dirs.push(dir)
  return dir
}

interface Started {
  child: ChildProcess
  port: number
  /** The fingerprint the CLI printed at start, when TLS is on. */
  printed?: string
  exited: Promise<number | null>
}

/** The real CLI inside the namespace, on every interface (as a LAN server runs). */
async function startCli(args: string[]): Promise<Started> {
  const child = lan.spawn(process.execPath, [
    '--no-warnings',
    JITI,
    CLI,
    '--port',
    '0',
    '--host',
    '0.0.0.0',
    '--no-static',
    '--log-level',
    'warn',
    ...args
  ])
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start: ${output}`)), 15_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /wss?:\/\/localhost:(\d+)\/ws/.exec(output)
      if (match && /Press Ctrl\+C/.test(output)) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the CLI exited (${code}): ${output}`))
    })
  })
  const printed = /TLS certificate SHA-256 fingerprint: ([0-9a-f]{64})/.exec(output)?.[1]
  return { child, port, exited, ...(printed ? { printed } : {}) }
}

async function stopCli(started: Started): Promise<void> {
  started.child.kill('SIGTERM')
  expect(await started.exited).toBe(0)
}

/** SHA-256 of the certificate the port presents, computed by a Node process inside the namespace. */
async function presented(port: number): Promise<string> {
  const script = `
const tls = require('node:tls'), crypto = require('node:crypto')
const s = tls.connect({ host: '127.0.0.1', port: ${port}, rejectUnauthorized: false }, () => {
  process.stdout.write(crypto.createHash('sha256').update(s.getPeerCertificate(true).raw).digest('hex'))
  s.end()
})`
  const { code, stdout } = await lan.run(process.execPath, ['-e', script])
  expect(code).toBe(0)
  return stdout.trim()
}

const named = (name: string) => (services: BrowsedService[]) => services.find((s) => s.name === name)

describe.skipIf(unavailable !== undefined)(
  'mDNS announcement (avahi-browse in a private network namespace)',
  () => {
    it('--name "Lab One" is found as _parley._tcp with its port, name and TXT, and withdrawn on stop', async () => {
      const server = await startCli(['--name', 'Lab One', '--data', await tempDir()])
      const found = named('Lab One')(await lan.browseUntil((list) => named('Lab One')(list) !== undefined))
      expect(found).toEqual({
        name: 'Lab One',
        host: expect.stringMatching(/\.local$/),
        address: LAN_ADDRESS,
        port: server.port,
        txt: { name: 'Lab One', tls: '0', auth: '0', path: '/ws', v: '1' }
      })
      await stopCli(server)
      // The goodbye (TTL 0) removes it at once; without one it would stay cached for its TTL.
      const after = await lan.browseUntil((list) => named('Lab One')(list) === undefined, 5000)
      expect(named('Lab One')(after)).toBeUndefined()
    }, 40_000)

    it('--no-mdns announces nothing (while an announcing server next to it is found)', async () => {
      const quiet = await startCli(['--name', 'Quiet One', '--no-mdns', '--data', await tempDir()])
      const loud = await startCli(['--name', 'Loud One', '--password', 'pw', '--data', await tempDir()])
      const services = await lan.browseUntil((list) => named('Loud One')(list) !== undefined)
      expect(named('Loud One')(services)?.txt.auth).toBe('1')
      // Loud One's first announcement went out after Quiet One was listening: Quiet One had its chance.
      expect(named('Quiet One')(await lan.browse())).toBeUndefined()
      await stopCli(quiet)
      await stopCli(loud)
    }, 40_000)

    it('with --tls, TXT fp is the SHA-256 of the certificate the port presents and the one printed, unchanged after a restart', async () => {
      const dataDir = await tempDir()
      const first = await startCli(['--name', 'Secure One', '--tls', '--data', dataDir])
      const announced = named('Secure One')(
        await lan.browseUntil((list) => named('Secure One')(list) !== undefined)
      )
      expect(announced?.txt.tls).toBe('1')
      expect(announced?.txt.fp).toMatch(/^[0-9a-f]{64}$/)
      expect(announced?.txt.fp).toBe(first.printed)
      expect(await presented(first.port)).toBe(announced?.txt.fp)
      await stopCli(first)
      await lan.browseUntil((list) => named('Secure One')(list) === undefined, 5000)

      const second = await startCli(['--name', 'Secure One', '--tls', '--data', dataDir])
      const again = named('Secure One')(
        await lan.browseUntil((list) => named('Secure One')(list) !== undefined)
      )
      expect(again?.txt.fp).toBe(announced?.txt.fp)
      expect(second.printed).toBe(first.printed)
      expect(await presented(second.port)).toBe(first.printed)
      await stopCli(second)
    }, 60_000)

    it("is announced again, with the new address, when the machine's address changes", async () => {
      const server = await startCli(['--name', 'Moving One', '--data', await tempDir()])
      const before = await lan.browseUntil((list) => named('Moving One')(list) !== undefined)
      expect(named('Moving One')(before)?.address).toBe(LAN_ADDRESS)
      // Another subnet: deleting a primary address also deletes the secondaries of its subnet.
      const moved = '203.0.113.20'
      try {
        expect((await lan.run('ip', ['addr', 'add', `${moved}/24`, 'dev', 'lan0'])).code).toBe(0)
        expect((await lan.run('ip', ['addr', 'del', `${LAN_ADDRESS}/24`, 'dev', 'lan0'])).code).toBe(0)
        const after = await lan.browseUntil((list) => named('Moving One')(list)?.address === moved, 15_000)
        expect(named('Moving One')(after)).toMatchObject({ address: moved, port: server.port })
      } finally {
        await lan.run('ip', ['addr', 'add', `${LAN_ADDRESS}/24`, 'dev', 'lan0'])
        await lan.run('ip', ['addr', 'del', `${moved}/24`, 'dev', 'lan0'])
        await stopCli(server)
      }
    }, 40_000)
  }
)
