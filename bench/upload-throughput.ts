/**
 * Upload throughput and server memory for 25 MiB files: the headless server runs from source in
 * its own process (through jiti, as PARLEY_BENCH_CLI does) on loopback; this process says hello
 * for a session token, then uploads the same-size file `runs` times (fresh random bytes each time,
 * so dedup never short-cuts a run) while sampling the server's VmRSS every 10 ms.
 *
 *   node --import ./scripts/ts-resolve-hooks.mjs bench/upload-throughput.ts [runs] [MiB]
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../test-support/free-port'
import { rssBytes } from './proc-stats'

const runs = Number(process.argv[2] ?? 5)
const mib = Number(process.argv[3] ?? 25)
const size = mib * 1024 * 1024
const CHUNK = 64 * 1024
const JITI = new URL('../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url).pathname
const CLI = new URL('../src/main/server/cli.ts', import.meta.url).pathname

const port = await freePort()
const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-upload-'))
const child = spawn(
  process.execPath,
  [
    JITI,
    CLI,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data',
    dataDir,
    '--no-static',
    '--log-level',
    'warn',
    '--max-file-bytes',
    String(size),
    '--file-quota-bytes',
    String(size * (runs + 1))
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } }
)
const pid = child.pid!

async function healthy(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server not healthy within 15 s')
}

function sessionToken(): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, 'parley.v1')
  return new Promise((resolve, reject) => {
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', nick: 'bench' }))
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; session?: string }
      if (message.type === 'welcome' && message.session) resolve(message.session)
    }
    ws.onerror = () => reject(new Error('could not say hello'))
  })
}

/** Writes the body in 64 KiB chunks as fast as the socket drains; resolves with the status. */
function upload(token: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/files',
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/octet-stream',
          'Content-Length': body.length,
          'X-File-Name': 'bench.bin'
        }
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }
    )
    req.on('error', reject)
    let offset = 0
    const pump = (): void => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + CHUNK)
        offset += chunk.length
        if (!req.write(chunk)) {
          req.once('drain', pump)
          return
        }
      }
      req.end()
    }
    pump()
  })
}

try {
  await healthy()
  const token = await sessionToken()
  await new Promise((r) => setTimeout(r, 1000))
  const idle = rssBytes(pid)
  const results: { seconds: number; mibPerSecond: number; peakRss: number }[] = []
  for (let run = 0; run < runs; run++) {
    const body = randomBytes(size)
    let peak = rssBytes(pid)
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 10)
    const started = performance.now()
    const status = await upload(token, body)
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, rssBytes(pid))
    if (status !== 201) throw new Error(`upload ${run} answered ${status}`)
    results.push({ seconds, mibPerSecond: mib / seconds, peakRss: peak })
  }
  const after = rssBytes(pid)
  const toMiB = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10
  const speeds = results.map((r) => r.mibPerSecond).sort((a, b) => a - b)
  console.log(
    JSON.stringify({
      fileMiB: mib,
      runs,
      mibPerSecond: { min: speeds[0], median: speeds[Math.floor(speeds.length / 2)], max: speeds.at(-1) },
      rssMiB: {
        idleBefore: toMiB(idle),
        peakDuring: toMiB(Math.max(...results.map((r) => r.peakRss))),
        after: toMiB(after)
      },
      perRun: results.map((r) => ({ s: Math.round(r.seconds * 1000) / 1000, peakRssMiB: toMiB(r.peakRss) }))
    })
  )
} finally {
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}
