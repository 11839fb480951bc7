/**
 * Issue 11: a newcomer whose Node is older than the server needs (Debian's Node 20) runs the
 * README's two commands and gets a server, and every entry point that cannot run on that Node
 * says so in one line. These tests spawn that old Node for real, with a PATH on which it is the
 * only Node, in a copy of the repository without a build (a fresh clone, sharing node_modules).
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIN_NODE_VERSION, nodeCanRunServer } from '../src/main/server/node-support'
import {
  MIN_SERVER_NODE,
  MIN_SOURCE_NODE,
  NODE_PACKAGES,
  findRuntime,
  nodeAtLeast,
  tooOldLine
} from './node-runtime.mjs'

const ROOT = resolve(import.meta.dirname, '..')

describe('which Node runs Parley', () => {
  it('has one minimum, the same in package.json engines, the CLI and the launchers', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }
    expect(pkg.engines.node).toBe(`>=${MIN_SERVER_NODE}`)
    expect(MIN_NODE_VERSION).toBe(MIN_SERVER_NODE)
    expect(nodeAtLeast(MIN_SOURCE_NODE, MIN_SERVER_NODE)).toBe(true)
  })

  it('compares versions by number, with or without the v', () => {
    for (const [version, ok] of [
      ['20.20.2', false],
      ['v22.12.9', false],
      ['22.13.0', true],
      ['v22.13.1', true],
      ['22.9.0', false],
      ['24.0.0', true],
      ['100.0.0', true]
    ] as const) {
      expect(nodeAtLeast(version, MIN_SERVER_NODE), version).toBe(ok)
      expect(nodeCanRunServer(version), version).toBe(ok)
    }
  })

  it('pins every fetchable Node by exact version and sha512 integrity', () => {
    for (const [platform, pkg] of Object.entries(NODE_PACKAGES)) {
      expect(pkg?.name, platform).toMatch(/^node-(linux|darwin|win)-(x64|arm64)$/)
      expect(nodeAtLeast(pkg!.version, MIN_SERVER_NODE), platform).toBe(true)
      expect(pkg!.version, platform).toMatch(/^\d+\.\d+\.\d+$/)
      expect(Buffer.from(pkg!.integrity.replace(/^sha512-/, ''), 'base64')).toHaveLength(64)
    }
    expect(findRuntime({ dir: ROOT, platform: 'plan9', arch: 'x64' })).toBeNull()
    expect(tooOldLine('x', '22.13.0', 'Get it', '20.1.0')).toBe(
      'x needs Node.js 22.13 or newer; this is Node 20.1.0. Get it.'
    )
  })
})

/** The first Node on this machine too old for the server (PARLEY_OLD_NODE names one elsewhere). */
function findOldNode(): { node: string; version: string } | null {
  for (const candidate of [process.env.PARLEY_OLD_NODE, '/usr/bin/node', '/usr/local/bin/node']) {
    if (!candidate || !existsSync(candidate)) continue
    const version = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim()
    if (version && !nodeCanRunServer(version)) return { node: candidate, version }
  }
  return null
}

const old = findOldNode()
const fetchable = NODE_PACKAGES[`${process.platform}-${process.arch}`] !== undefined

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs a command in its own process group, killed whole if it outlives `timeoutMs`. */
function run(
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }
) {
  return new Promise<Run>((done) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, detached: true })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs)
    child.on('close', (status) => {
      clearTimeout(timer)
      done({ status, stdout, stderr })
    })
  })
}

function expectOneLineNaming(result: Run, needle: string): void {
  expect(result.status, result.stderr).not.toBe(0)
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toContain(needle)
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at |Error \[|Node\.js v\d/)
}

/** What a fresh clone holds: the tracked files (and new ones not yet committed), no build. */
function copyAsFreshClone(dest: string): void {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  if (files.status === 0) {
    for (const file of files.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(ROOT, file))) continue
      mkdirSync(dirname(join(dest, file)), { recursive: true })
      cpSync(join(ROOT, file), join(dest, file))
    }
    return
  }
  // Not a git checkout (an unpacked tarball): everything but what installs, builds and tests make.
  const made = new Set([
    '.git',
    'node_modules',
    'out',
    'dist',
    'test-results',
    'e2e-artifacts',
    'parley-data'
  ])
  cpSync(ROOT, dest, {
    recursive: true,
    filter: (source) => !made.has(relative(ROOT, source).split(sep)[0] ?? '')
  })
}

const oldNodeTitle = old
  ? `on an older Node (${old.node} ${old.version})`
  : 'on an older Node: skipped, this machine has no Node older than 22.13 (PARLEY_OLD_NODE=path names one)'

describe.skipIf(!old)(oldNodeTitle, () => {
  let work: string
  let env: NodeJS.ProcessEnv

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'parley-first-run-'))
    copyAsFreshClone(join(work, 'repo'))
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'repo', 'node_modules'), 'dir')
    const path = [...new Set([dirname(old!.node), '/usr/bin', '/bin'])].join(delimiter)
    env = {
      PATH: path,
      HOME: process.env.HOME,
      // npm's cache: the fetch is a registry download once per machine, then a local copy.
      npm_config_cache: process.env.npm_config_cache,
      PARLEY_NODE_RUNTIME_DIR: join(work, 'runtime'),
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1'
    }
    const which = spawnSync('sh', ['-c', 'command -v node; node -v'], { env, encoding: 'utf8' })
    expect(which.stdout.trim().split('\n')).toEqual([old!.node, `v${old!.version}`])
  })

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  const repo = () => join(work, 'repo')

  it('parley-server --help says in one line that it needs Node 22, when none was fetched', async () => {
    const result = await run(old!.node, ['bin/parley-server.js', '--help'], {
      cwd: repo(),
      env,
      timeoutMs: 15_000
    })
    expectOneLineNaming(result, 'Node.js 22.13 or newer')
    expect(result.stderr).toContain(`this is Node ${old!.version}`)
  })

  it('npm test, the unit and e2e tests, the bench and the soak each stop with one line', async () => {
    for (const [script, needle] of [
      ['test', '22.13'],
      ['test:unit', '22.13'],
      ['test:e2e', '22.13'],
      ['bench', '22.18'],
      ['soak', '22.18']
    ] as const) {
      const result = await run('npm', ['run', '--silent', script], { cwd: repo(), env, timeoutMs: 30_000 })
      expectOneLineNaming(result, needle)
    }
  }, 120_000)

  it.skipIf(!fetchable)(
    'npm run serve fetches Node 22 once, builds, and answers /healthz',
    async () => {
      const data = join(work, 'data')
      const child = spawn(
        'npm',
        ['run', 'serve', '--', '--port', '0', '--host', '127.0.0.1', '--data', data],
        {
          cwd: repo(),
          env,
          detached: true
        }
      )
      let stdout = ''
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
      const exited = new Promise<number | null>((done) => child.on('close', done))
      try {
        const url = await new Promise<string>((found, fail) => {
          const timer = setTimeout(
            () => fail(new Error(`no address within 150 s:\n${stdout}\n${stderr}`)),
            150_000
          )
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk
            const match = /ws:\/\/127\.0\.0\.1:(\d+)\/ws/.exec(stdout)
            if (match) {
              clearTimeout(timer)
              found(`http://127.0.0.1:${match[1]}`)
            }
          })
          void exited.then((status) => fail(new Error(`serve exited ${status}:\n${stdout}\n${stderr}`)))
        })
        const health = await fetch(`${url}/healthz`)
        expect(health.status).toBe(200)
        expect(await health.json()).toEqual({ ok: true })
        expect(stderr).toMatch(/fetching Node 22\.\d+\.\d+/)
        expect(findRuntime({ dir: env.PARLEY_NODE_RUNTIME_DIR })).not.toBeNull()
      } finally {
        process.kill(-child.pid!, 'SIGTERM')
        const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      expect(stderr).not.toMatch(/\n\s+at /)
    },
    200_000
  )

  it.skipIf(!fetchable)(
    'then parley-server hands over to the fetched Node, and the bare CLI says one line',
    async () => {
      expect(findRuntime({ dir: env.PARLEY_NODE_RUNTIME_DIR }), 'the serve test fetched it').not.toBeNull()
      const help = await run(old!.node, ['bin/parley-server.js', '--help'], {
        cwd: repo(),
        env,
        timeoutMs: 15_000
      })
      expect(help.status, help.stderr).toBe(0)
      expect(help.stdout).toContain('Usage: parley-server')
      // out/main/cli.js itself has no launcher in front: it answers for itself.
      const bare = await run(old!.node, ['out/main/cli.js', '--port', '0'], {
        cwd: repo(),
        env,
        timeoutMs: 15_000
      })
      expectOneLineNaming(bare, 'Node.js 22.13 or newer')
    }
  )
})
