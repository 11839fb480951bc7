import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * The real headless server (`node out/main/cli.js`, the same build `npm run serve` runs) as a
 * child process on 127.0.0.1, so tests can kill it with SIGKILL, stop it with SIGTERM, and start
 * it again on the same port and data directory.
 */
export interface ParleyServer {
  /** http://127.0.0.1:PORT/ — the web client. */
  httpUrl: string
  /** What a person types in "Server address". */
  address: string
  port: number
  dataDir: string
  process: ChildProcess
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<string>
}

export interface StartOptions {
  port?: number
  dataDir?: string
  password?: string
  extraArgs?: string[]
}

const CLI = resolve('out/main/cli.js')
const START_TIMEOUT_MS = 15_000

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'parley-e2e-'))
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

export async function startServer(options: StartOptions = {}): Promise<ParleyServer> {
  const dataDir = options.dataDir ?? makeDataDir()
  const args = [
    CLI,
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--data',
    dataDir,
    '--name',
    'e2e',
    '--log-level',
    'warn',
    ...(options.password ? ['--password', options.password] : []),
    ...(options.extraArgs ?? [])
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<string>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(signal ?? String(code)))
  )
  let output = ''
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`parley server did not start within ${START_TIMEOUT_MS} ms:\n${output}`))
    }, START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /wss?:\/\/127\.0\.0\.1:(\d+)\/ws/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolvePort(Number(match[1]))
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`parley server exited (${code}) before listening:\n${output}`))
    })
  })
  return {
    // --tls serves https:// (and wss://) on the same port.
    httpUrl: `${options.extraArgs?.includes('--tls') ? 'https' : 'http'}://127.0.0.1:${port}/`,
    address: `127.0.0.1:${port}`,
    port,
    dataDir,
    process: child,
    exited
  }
}

/** Stops the server with a signal and waits for the process to be gone. */
export async function stopServer(server: ParleyServer, signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill(signal)
  return server.exited
}
