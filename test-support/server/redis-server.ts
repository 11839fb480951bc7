/**
 * A real redis-server for tests: Debian's binary on a free loopback port, its config and its AOF
 * in a temp dir. `appendfsync always`, the setting Parley documents for a cluster: an acknowledged
 * message is in the AOF on disk before Redis answers. It can be stopped (SIGTERM), killed
 * (SIGKILL) and started again on the same port and dir, which is how the tests take Redis down
 * and check what the AOF kept.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../free-port'

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'

export interface TestRedis {
  url: string
  port: number
  dir: string
  /** Starts it (again) on the same port and dir; resolves once it answers. */
  start(): Promise<void>
  /** SIGTERM (or SIGKILL with `kill`) and waits for the process to exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** The redis-server process id, while it runs (the benchmark reads its /proc). */
  readonly pid: number | undefined
  /** Stops it and removes its dir. */
  remove(): Promise<void>
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', () => resolve(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
  })
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'))
  const port = await freePort()
  const config = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'appendonly yes',
    'appendfsync always',
    'save ""',
    'daemonize no',
    'protected-mode yes',
    'loglevel warning',
    `logfile ${join(dir, 'redis.log')}`
  ].join('\n')
  await writeFile(join(dir, 'redis.conf'), `${config}\n`)
  let child: ChildProcess | undefined

  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid
    },
    async start() {
      child = spawn(REDIS_SERVER_BIN, [join(dir, 'redis.conf')], { stdio: 'ignore' })
      const started = Date.now()
      while (!(await answers(port))) {
        if (child.exitCode !== null)
          throw new Error(`redis-server exited with ${child.exitCode}; see ${dir}/redis.log`)
        if (Date.now() - started > 10_000) throw new Error('redis-server did not answer within 10 s')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async stop(signal = 'SIGTERM') {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill(signal)
      await exited
    },
    async remove() {
      await redis.stop('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  }
  await redis.start()
  return redis
}
