/**
 * Test support: a reverse proxy (nginx, Caddy) as a foreground child process, ready once its TLS
 * port accepts connections, stopped gracefully and waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'

export interface RunningProxy {
  port: number
  /** The certificate to trust (pass as `ca`). */
  cert: Buffer
  /** Stops the proxy gracefully (SIGKILL after 5 s) and waits for it; safe to call twice. */
  stop(): Promise<void>
}

export interface ProxyProcessOptions {
  port: number
  certFile: string
  /** Shown when it fails to start. */
  logFile?: string
  stopSignal: NodeJS.Signals
  env?: NodeJS.ProcessEnv
}

function waitForPort(port: number, timeoutMs: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`the proxy exited (${child.exitCode}): ${log()}`))
        return
      }
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline)
          reject(new Error(`the proxy did not listen on ${port} within ${timeoutMs} ms: ${log()}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}

export async function runProxy(
  command: string,
  args: string[],
  options: ProxyProcessOptions
): Promise<RunningProxy> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const readLog = () =>
    output +
    (options.logFile !== undefined && existsSync(options.logFile)
      ? readFileSync(options.logFile, 'utf8')
      : '')
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await waitForPort(options.port, 10_000, child, readLog)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    port: options.port,
    cert: readFileSync(options.certFile),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill(options.stopSignal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}
