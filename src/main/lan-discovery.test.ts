/**
 * LAN discovery: the bookkeeping under Node with a scripted source, and the real bonjour-service
 * browser inside a private network namespace hearing the real CLI announce and say goodbye.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { DiscoveredServer } from '../shared/ipc'
import { createDiscoveryService, toDiscoveredServer, type FoundService } from './lan-discovery'
import { createScriptedDiscovery } from '../../test-support/scripted-discovery'
import { LAN_ADDRESS, namespaceUnavailable, startLanNamespace } from '../../test-support/lan-namespace'

const found = (overrides: Partial<FoundService> = {}): FoundService => ({
  fqdn: 'Lab One._parley._tcp.local',
  name: 'Lab One',
  port: 8080,
  addresses: ['fe80::1', '2001:db8::5', '192.0.2.7'],
  sourceAddress: '192.0.2.99',
  txt: { name: 'Lab One', tls: '0', auth: '0', path: '/ws', v: '1' },
  ...overrides
})

describe('toDiscoveredServer', () => {
  it('prefers an IPv4 address, builds ws:// or wss:// with the announced path, reads auth and fp', () => {
    expect(toDiscoveredServer(found())).toEqual({
      id: 'Lab One._parley._tcp.local',
      name: 'Lab One',
      host: '192.0.2.7',
      port: 8080,
      url: 'ws://192.0.2.7:8080/ws',
      tls: false,
      passwordRequired: false,
      protocolVersion: '1'
    })
    const fp = 'C0'.repeat(32)
    expect(
      toDiscoveredServer(
        found({ addresses: ['2001:db8::5'], txt: { name: 'Lab One', tls: '1', auth: '1', fp, path: 'chat' } })
      )
    ).toMatchObject({
      url: 'wss://[2001:db8::5]:8080/chat',
      tls: true,
      passwordRequired: true,
      fingerprint: fp.toLowerCase()
    })
  })

  it('falls back to where the answer came from, and drops what cannot be a server', () => {
    expect(toDiscoveredServer(found({ addresses: [] }))?.host).toBe('192.0.2.99')
    expect(toDiscoveredServer(found({ addresses: [], sourceAddress: undefined }))).toBeNull()
    expect(toDiscoveredServer(found({ port: 0 }))).toBeNull()
    expect(toDiscoveredServer(found({ txt: { fp: 'not-hex', tls: '1' } }))).not.toHaveProperty('fingerprint')
  })
})

describe('the discovery service', () => {
  it('lists servers live, drops repeats, forgets gone ones, and stops browsing on stop', () => {
    const scripted = createScriptedDiscovery()
    const discovery = createDiscoveryService({ source: scripted.source })
    const lists: string[][] = []
    const off = discovery.onServers((servers) => lists.push(servers.map((s) => s.name)))
    scripted.up(found())
    expect(lists).toEqual([])
    expect(discovery.start()).toEqual([])
    discovery.start()
    expect(scripted.starts).toBe(1)
    scripted.up(
      found({ txt: { name: 'Zed', tls: '1', fp: 'ab'.repeat(32) }, fqdn: 'Zed._parley._tcp.local' })
    )
    scripted.up(found())
    scripted.up(found())
    expect(lists).toEqual([['Zed'], ['Lab One', 'Zed']])
    expect(discovery.fingerprintsFor('192.0.2.7')).toEqual(['ab'.repeat(32)])
    scripted.down('Zed._parley._tcp.local')
    expect(discovery.list().map((s) => s.name)).toEqual(['Lab One'])
    expect(discovery.fingerprintsFor('192.0.2.7')).toEqual([])
    discovery.stop()
    expect(scripted.browsing).toBe(false)
    expect(lists.at(-1)).toEqual([])
    off()
  })
})

const unavailable = namespaceUnavailable()
if (unavailable) console.warn(`LAN discovery namespace test skipped: ${unavailable}`)
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

describe.skipIf(unavailable !== undefined && !process.env.CI)(
  'bonjour-service browsing in a private network namespace',
  () => {
    it('finds the CLI announcing with TLS (fingerprint included) and sees it go on its goodbye', async () => {
      if (unavailable) throw new Error(`cannot run on CI: ${unavailable}`)
      const dir = await mkdtemp(join(tmpdir(), 'parley-discovery-'))
      dirs.push(dir)
      const jiti = fileURLToPath(new URL('../../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url))
      const browserScript = join(dir, 'browse.ts')
      await writeFile(
        browserScript,
        `import { bonjourSource, createDiscoveryService } from ${JSON.stringify(fileURLToPath(new URL('./lan-discovery.ts', import.meta.url)))}
const discovery = createDiscoveryService({ source: bonjourSource((e) => console.error(e)) })
discovery.onServers((servers) => process.stdout.write(JSON.stringify(servers) + '\\n'))
discovery.start()
process.stdout.write('browsing\\n')
`
      )
      const lan = await startLanNamespace()
      try {
        const browser = lan.spawn(process.execPath, ['--no-warnings', jiti, browserScript])
        const lists: DiscoveredServer[][] = []
        let output = ''
        const waiters: (() => void)[] = []
        browser.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const lines = output.split('\n')
          output = lines.pop()!
          for (const line of lines)
            if (line.startsWith('[')) lists.push(JSON.parse(line) as DiscoveredServer[])
          for (const waiter of waiters.splice(0)) waiter()
        })
        const until = async (check: () => boolean, what: string) => {
          const deadline = Date.now() + 10_000
          while (!check()) {
            if (Date.now() > deadline) throw new Error(`${what}; lists so far: ${JSON.stringify(lists)}`)
            await new Promise<void>((resolve) => {
              waiters.push(resolve)
              setTimeout(resolve, 200)
            })
          }
        }
        const server = lan.spawn(process.execPath, [
          '--no-warnings',
          jiti,
          fileURLToPath(new URL('./server/cli.ts', import.meta.url)),
          ...['--port', '0', '--no-static', '--tls', '--name', 'Lab One', '--data', join(dir, 'data')]
        ])
        let serverOutput = ''
        server.stdout!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()))
        await until(
          () => lists.some((list) => list.some((s) => s.name === 'Lab One')),
          'Lab One was not found'
        )
        const printed = /fingerprint: ([0-9a-f]{64})/.exec(serverOutput)?.[1]
        const port = Number(/wss:\/\/localhost:(\d+)/.exec(serverOutput)?.[1])
        expect(lists.at(-1)).toEqual([
          {
            id: expect.stringMatching(/^Lab One\._parley\._tcp\.local$/i),
            name: 'Lab One',
            host: LAN_ADDRESS,
            port,
            url: `wss://${LAN_ADDRESS}:${port}/ws`,
            tls: true,
            passwordRequired: false,
            fingerprint: printed,
            protocolVersion: '1'
          }
        ])
        server.kill('SIGTERM')
        await until(() => lists.at(-1)?.length === 0, 'Lab One did not go away after its goodbye')
      } finally {
        await lan.close()
      }
    }, 40_000)
  }
)
