/**
 * docs/deploy.md quotes the files in docs/deploy/ that the tests run (reverse-proxy.test.ts runs
 * the nginx and Caddy ones), so the page must quote them byte for byte; the systemd unit is
 * checked by systemd itself, and its ExecStart flags by the real flag parser.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCliArgs } from './cli-args'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DOC = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8')
const UNIT = readFileSync(join(ROOT, 'docs/deploy/parley.service'), 'utf8')
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze'

/** Every `<!-- quote: PATH -->` marker and the fenced block right after it. */
function quotes(markdown: string): Map<string, string> {
  const found = new Map<string, string>()
  const pattern = /<!-- quote: (\S+) -->\n\n```[a-z]*\n([\s\S]*?)```\n/g
  for (const match of markdown.matchAll(pattern)) found.set(match[1]!, match[2]!)
  return found
}

describe('docs/deploy.md', () => {
  it('quotes every file in docs/deploy/ exactly as it is', () => {
    const quoted = quotes(DOC)
    const files = readdirSync(join(ROOT, 'docs/deploy')).map((name) => `docs/deploy/${name}`)
    expect([...quoted.keys()].sort()).toEqual(files.sort())
    for (const [path, text] of quoted) expect(text, path).toBe(readFileSync(join(ROOT, path), 'utf8'))
  })
})

describe('docs/deploy/parley.service', () => {
  it('passes systemd-analyze verify with no warning at all', async () => {
    // A missing systemd-analyze is a broken test machine, not a pass: it comes with Debian's systemd.
    expect(existsSync(SYSTEMD_ANALYZE), `${SYSTEMD_ANALYZE} is missing: apt-get install systemd`).toBe(true)
    const dir = await mkdtemp(join(tmpdir(), 'parley-unit-'))
    try {
      // verify checks that ExecStart's program exists; CI's Node 22 may live elsewhere.
      const unit = existsSync('/usr/bin/node') ? UNIT : UNIT.replace('/usr/bin/node', process.execPath)
      const file = join(dir, 'parley.service')
      writeFileSync(file, unit)
      const result = spawnSync(SYSTEMD_ANALYZE, ['verify', file], { encoding: 'utf8' })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      // The sandboxing is real: systemd's own exposure score, 0 (locked down) to 10 (exposed).
      const security = execFileSync(SYSTEMD_ANALYZE, ['security', '--offline=yes', file], {
        encoding: 'utf8'
      })
      const score = Number(/Overall exposure level for parley\.service: ([\d.]+)/.exec(security)?.[1])
      expect(score).toBeLessThanOrEqual(2)
      // Verify does fail on a broken unit (so the pass above means something).
      writeFileSync(file, unit.replace('Restart=on-failure', 'Restart=sometimes'))
      expect(spawnSync(SYSTEMD_ANALYZE, ['verify', file], { encoding: 'utf8' }).stderr).toMatch(
        /restart specifier/
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('starts the server with flags the CLI accepts: loopback, the state directory, the local proxy', () => {
    const execStart = /^ExecStart=(.*)$/m.exec(UNIT)?.[1] ?? ''
    const [, script, ...flags] = execStart.split(/\s+/)
    expect(script).toBe('/opt/parley/out/main/cli.js')
    expect(parseCliArgs(flags, {}, undefined)).toMatchObject({
      kind: 'serve',
      options: {
        host: '127.0.0.1',
        port: 8080,
        dataDir: '/var/lib/parley',
        trustProxy: ['127.0.0.1', '::1']
      }
    })
    expect(UNIT).toMatch(/^StateDirectory=parley$/m)
    expect(UNIT).toMatch(/^KillSignal=SIGTERM$/m)
    expect(UNIT).toMatch(/^Restart=on-failure$/m)
  })
})
