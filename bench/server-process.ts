/**
 * Starts one server under test in its own process on a loopback port, with a raised open-file
 * limit, and stops it. Parley runs exactly as shipped: the built CLI (out/main/cli.js).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerKind } from './bench-clients'
import { freePort } from '../test-support/free-port'

const hooks = new URL('../scripts/ts-resolve-hooks.mjs', import.meta.url).pathname
const JITI = new URL('../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url).pathname

export interface RunningServer {
  kind: ServerKind
  pid: number
  port: number
  dataDir: string
  logFile: string
  stop(): Promise<void>
}

/**
 * Lifts a process's soft open-file limit to its hard limit, so 10,000 sockets fit. Raising the
 * hard limit itself needs CAP_SYS_RESOURCE, which containers usually lack; the bench then works
 * within the hard limit it was given (see `openFileLimit`).
 */
export function raiseOpenFiles(pid: number): void {
  const { soft, hard } = openFileLimit(pid)
  if (soft >= hard) return
  try {
    execFileSync('prlimit', [`--pid=${pid}`, `--nofile=${hard}:${hard}`], { stdio: 'ignore' })
  } catch {
    console.warn(`could not raise the open-file limit of process ${pid} from ${soft} to ${hard}`)
  }
}

export function openFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const line = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))
  const value = (v: string | undefined): number =>
    v === 'unlimited' || v === undefined ? Infinity : Number(v)
  return { soft: value(line?.[1]), hard: value(line?.[2]) }
}

function commandFor(kind: ServerKind, port: number, dataDir: string): string[] {
  const listen = ['--host', '127.0.0.1', '--port', String(port)]
  // Parley's shipped defaults, except the total connection cap (default 5000), raised with its
  // documented flag so the 10,000-connection measures can run at all.
  if (kind === 'parley') {
    const parley = [...listen, '--data', dataDir, '--max-connections', '20000']
    // PARLEY_BENCH_CLI benches another build or a source tree (a .ts entry runs through jiti).
    const cli = process.env.PARLEY_BENCH_CLI ?? 'out/main/cli.js'
    return cli.endsWith('.ts') ? ['--no-warnings', JITI, cli, ...parley] : [cli, ...parley]
  }
  const file = kind === 'ws' ? 'bench/servers/ws-baseline.ts' : 'bench/servers/socketio-baseline.ts'
  return ['--import', hooks, file, ...listen]
}

async function waitHealthy(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server on ${port} not healthy within ${deadlineMs} ms`)
}

/**
 * `nodeFlags` go before the server's entry point (the heap census passes `--expose-gc` and its
 * snapshot probe).
 */
export async function startServer(
  kind: ServerKind,
  logDir: string,
  nodeFlags: string[] = []
): Promise<RunningServer> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), `parley-bench-${kind}-`))
  const logFile = join(logDir, `${kind}-${port}.log`)
  const log = openSync(logFile, 'a')
  // PARLEY_BENCH_PROFILE=DIR: each server writes a V8 CPU profile there when it stops.
  const profile = process.env.PARLEY_BENCH_PROFILE
  const profiling = profile
    ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, `--cpu-prof-name=${kind}-${port}.cpuprofile`]
    : []
  const child = spawn(process.execPath, [...nodeFlags, ...profiling, ...commandFor(kind, port, dataDir)], {
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_ENV: 'production' }
  })
  const pid = child.pid!
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  raiseOpenFiles(pid)
  await waitHealthy(port, child, 15_000)
  return {
    kind,
    pid,
    port,
    dataDir,
    logFile,
    async stop() {
      const kill = setTimeout(() => child.kill('SIGKILL'), 8_000)
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      clearTimeout(kill)
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
