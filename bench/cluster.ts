/**
 * `npm run bench -- --cluster [--quick]`: the same fan-out load (rooms whose members are spread
 * over the nodes) against one Parley on SQLite, one Parley on Redis, and two Parleys behind one
 * Redis. CPU per delivery is summed over every Parley process plus redis-server (all read from
 * /proc), latency is send → delivery at the receiving client. Bounded: three configurations of
 * a few steps of a few seconds each (about two minutes). Everything on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { format } from 'prettier'
import { freePort } from '../test-support/free-port'
import { startTestRedis, type TestRedis } from '../test-support/server/redis-server'
import { startLoad } from './load-driver'
import { cpuSeconds, machineBusySeconds } from './proc-stats'
import { raiseOpenFiles } from './server-process'

const JITI = new URL('../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url).pathname
const CLI = process.env.PARLEY_BENCH_CLI ?? 'src/main/server/cli.ts'
const quick = process.argv.includes('--quick')
const ROOMS = 10
const PER_ROOM = quick ? 20 : 40
const RATES = quick ? [1] : [0.5, 1, 2]
const WARM_MS = 1500
const MEASURE_MS = quick ? 3000 : 6000
const DRAIN_MS = 1500
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Node {
  pid: number
  port: number
  stop(): Promise<void>
}

async function startNode(logDir: string, redis: TestRedis | undefined, prefix: string): Promise<Node> {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-cluster-'))
  const log = openSync(join(logDir, `parley-${port}.log`), 'a')
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data',
    dataDir,
    '--no-static',
    '--log-level',
    'warn'
  ]
  const entry = CLI.endsWith('.ts') ? ['--no-warnings', JITI, CLI] : [CLI]
  const child: ChildProcess = spawn(process.execPath, [...entry, ...args], {
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ...(redis ? { PARLEY_REDIS_URL: redis.url, PARLEY_REDIS_PREFIX: prefix } : {})
    }
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  raiseOpenFiles(child.pid!)
  const end = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parley exited with ${child.exitCode}; see ${logDir}`)
    if (Date.now() > end) throw new Error('parley not healthy within 30 s')
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.ok,
      () => false
    )
    if (ok) break
    await sleep(100)
  }
  return {
    pid: child.pid!,
    port,
    async stop() {
      const kill = setTimeout(() => child.kill('SIGKILL'), 8_000)
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      clearTimeout(kill)
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

interface Step {
  perClientRate: number
  deliveriesPerSecond: number
  deliveredRatio: number
  latencyMs: { p50: number; p99: number; max: number }
  cpuMicrosPerDelivery: { total: number; nodes: number[]; redis: number }
  loadCpuPercent: number
  otherCpuPercent: number
}

async function measure(name: string, nodeCount: number, useRedis: boolean, logDir: string): Promise<Step[]> {
  const redis = useRedis ? await startTestRedis() : undefined
  const prefix = `bench${Date.now()}:`
  const nodes: Node[] = []
  for (let i = 0; i < nodeCount; i++) nodes.push(await startNode(logDir, redis, prefix))
  const load = startLoad()
  try {
    // Clients alternate between the nodes: every room has members on each of them.
    const total = ROOMS * PER_ROOM
    for (let i = 0; i < nodeCount; i++) {
      const connected = await load.run<{ connected: number; failed: number }>({
        cmd: 'connect',
        kind: 'parley',
        port: nodes[i]!.port,
        count: total / nodeCount,
        room: { prefix: 'fan-', rooms: ROOMS },
        perAddress: 50
      })
      if (connected.failed > 0) throw new Error(`${name}: ${connected.failed} clients failed to connect`)
    }
    await sleep(1500) // the nodes learn each other's members (presence settles)
    const steps: Step[] = []
    for (const rate of RATES) {
      await load.run({ cmd: 'rate', perClientPerSecond: rate })
      await sleep(WARM_MS)
      await load.run({ cmd: 'report' })
      const pids = [...nodes.map((n) => n.pid), ...(redis?.pid ? [redis.pid] : [])]
      const cpu0 = pids.map(cpuSeconds)
      const load0 = load.cpuSeconds()
      const busy0 = machineBusySeconds()
      const t0 = performance.now()
      await load.run({ cmd: 'window', on: true })
      await sleep(MEASURE_MS)
      await load.run({ cmd: 'window', on: false })
      const seconds = (performance.now() - t0) / 1000
      const cpu = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]!)
      const loadCpu = load.cpuSeconds() - load0
      const otherCpu = machineBusySeconds() - busy0 - cpu.reduce((a, b) => a + b, 0) - loadCpu
      await sleep(DRAIN_MS)
      const r = await load.run<{ expected: number; received: number; p50: number; p99: number; max: number }>(
        {
          cmd: 'report'
        }
      )
      const per = (s: number): number => (r.received ? (s / r.received) * 1e6 : NaN)
      const nodeCpu = cpu.slice(0, nodeCount)
      const step: Step = {
        perClientRate: rate,
        deliveriesPerSecond: Math.round(r.received / seconds),
        deliveredRatio: r.expected ? r.received / r.expected : 0,
        latencyMs: { p50: r.p50, p99: r.p99, max: r.max },
        cpuMicrosPerDelivery: {
          total: per(cpu.reduce((a, b) => a + b, 0)),
          nodes: nodeCpu.map(per),
          redis: redis ? per(cpu[nodeCount]!) : 0
        },
        loadCpuPercent: (loadCpu / seconds) * 100,
        otherCpuPercent: Math.max(0, (otherCpu / seconds) * 100)
      }
      steps.push(step)
      console.log(
        `  ${name} ${rate}/s/client: ${step.deliveriesPerSecond} deliveries/s (${(step.deliveredRatio * 100).toFixed(1)} %), ` +
          `p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms, CPU/delivery ${step.cpuMicrosPerDelivery.total.toFixed(2)} µs ` +
          `(nodes ${step.cpuMicrosPerDelivery.nodes.map((n) => n.toFixed(2)).join(' + ')}, redis ${step.cpuMicrosPerDelivery.redis.toFixed(2)})`
      )
      await load.run({ cmd: 'rate', perClientPerSecond: 0 })
      await sleep(DRAIN_MS)
      await load.run({ cmd: 'report' })
    }
    return steps
  } finally {
    await load.stop()
    for (const n of nodes) await n.stop()
    await redis?.remove()
  }
}

export async function runClusterBench(): Promise<void> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const resultsDir = new URL('./results/', import.meta.url).pathname
  const logDir = `${resultsDir}logs-cluster-${stamp}`
  mkdirSync(logDir, { recursive: true })
  const started = Date.now()
  console.log(`cluster fan-out: ${ROOMS} rooms × ${PER_ROOM} members, rates ${RATES.join(', ')}/s per client`)
  const results = {
    startedAt: new Date(started).toISOString(),
    machine: { cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`, loadAverageAtStart: loadavg() },
    shape: { rooms: ROOMS, perRoom: PER_ROOM, rates: RATES, measureMs: MEASURE_MS },
    oneNodeSqlite: await measure('1 node, SQLite', 1, false, logDir),
    oneNodeRedis: await measure('1 node, Redis', 1, true, logDir),
    twoNodesRedis: await measure('2 nodes, Redis', 2, true, logDir),
    durationSeconds: 0
  }
  results.durationSeconds = Math.round((Date.now() - started) / 1000)
  const file = `${resultsDir}cluster-${stamp}.json`
  // Formatted as `npm run lint` (prettier --check .) expects of every file in the repo.
  writeFileSync(file, await format(JSON.stringify(results), { parser: 'json' }))
  console.log(`results: ${file} (${results.durationSeconds} s)`)
}
