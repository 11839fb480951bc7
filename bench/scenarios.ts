/**
 * The measures of issue 5 other than fan-out (bench/fanout.ts), each against one freshly started
 * server. Every loop is bounded by a step count and a time budget; all traffic stays on loopback.
 */
import { execFileSync } from 'node:child_process'
import { rssBytes } from './proc-stats'
import { startLoad, type LoadDriver } from './load-driver'
import { startServer, type RunningServer } from './server-process'
import type { ServerKind } from './bench-clients'
import type { LatencySummary } from './latency-stats'
import type { RoomPlan } from './load-generator'

export interface Profile {
  fanout: {
    rooms: number
    perRoom: number
    rates: number[]
    /**
     * Traffic each server gets once before the first measured rate, so the first rate measures a
     * running server, not V8 compiling its message path (docs/benchmarks.md, issue 17).
     */
    warmup: { perClientRate: number; ms: number }
    warmMs: number
    measureMs: number
    drainMs: number
  }
  capacity: { step: number; max: number; sampleMs: number; budgetMs: number }
  /** `runs`: fresh servers measured one after another; the median is reported (RSS is noisy). */
  idle: { warm: number; count: number; budgetMs: number; runs: number }
  /** The LAN shape (issue 17): everyone in `general` plus one of 10 rooms. */
  idleLarge: { warm: number; count: number; budgetMs: number; runs: number }
  persist: { clients: number; burst: number; rounds: number }
  perAddress: number
  /** Run every fan-out step even past the limits (for A/B comparisons of CPU per delivery). */
  allSteps?: boolean
}

export const FULL: Profile = {
  fanout: {
    rooms: 10,
    perRoom: 100,
    rates: [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4],
    warmup: { perClientRate: 1, ms: 10_000 },
    warmMs: 2000,
    measureMs: 5000,
    drainMs: 1500
  },
  capacity: { step: 500, max: 10_000, sampleMs: 3000, budgetMs: 150_000 },
  idle: { warm: 200, count: 10_000, budgetMs: 120_000, runs: 3 },
  idleLarge: { warm: 200, count: 5000, budgetMs: 120_000, runs: 3 },
  // Parley caps rooms at 1000 by default; each sender gets a room of its own.
  persist: { clients: 900, burst: 25, rounds: 3 },
  perAddress: 50
}

export const QUICK: Profile = {
  fanout: {
    rooms: 10,
    perRoom: 100,
    rates: [0.5, 2],
    warmup: { perClientRate: 1, ms: 1000 },
    warmMs: 1000,
    measureMs: 3000,
    drainMs: 1000
  },
  capacity: { step: 500, max: 1500, sampleMs: 2000, budgetMs: 15_000 },
  idle: { warm: 100, count: 1000, budgetMs: 30_000, runs: 1 },
  idleLarge: { warm: 100, count: 1000, budgetMs: 30_000, runs: 1 },
  persist: { clients: 500, burst: 25, rounds: 2 },
  perAddress: 50
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface FanoutStep {
  perClientRate: number
  offeredDeliveriesPerSecond: number
  deliveriesPerSecond: number
  deliveredRatio: number
  latencyMs: LatencySummary
  serverCpuSeconds: number
  serverCpuMicrosPerDelivery: number
  loadCpuPercent: number
  otherCpuPercent: number
  closed: Record<string, number>
}

async function withServer<T>(
  kind: ServerKind,
  logDir: string,
  body: (server: RunningServer, load: LoadDriver) => Promise<T>
): Promise<T> {
  const server = await startServer(kind, logDir)
  const load = startLoad()
  try {
    return await body(server, load)
  } finally {
    await load.stop()
    await server.stop()
  }
}

export interface CapacityStep {
  clients: number
  connectMs: number
  failed: number
  rttMs: LatencySummary & { timeouts: number }
}

export interface CapacityResult {
  steps: CapacityStep[]
  /** Most clients with broadcast round-trip p95 under 500 ms. */
  maxClients: number
  stoppedBecause: string
}

export function runCapacity(kind: ServerKind, profile: Profile, logDir: string): Promise<CapacityResult> {
  const { step, max, sampleMs, budgetMs } = profile.capacity
  return withServer(kind, logDir, async (server, load) => {
    const steps: CapacityStep[] = []
    const deadline = performance.now() + budgetMs
    let maxClients = 0
    let stoppedBecause = `reached the bench's ceiling of ${max} clients`
    while (steps.length * step < max) {
      if (performance.now() > deadline) {
        stoppedBecause = `time budget (${budgetMs / 1000} s) spent`
        break
      }
      const grown = await load.run<{ connected: number; failed: number; ms: number; errors: object }>({
        cmd: 'connect',
        kind,
        port: server.port,
        count: step,
        room: { prefix: 'cap', rooms: 1 },
        perAddress: profile.perAddress
      })
      await sleep(500)
      const rtt = await load.run<LatencySummary & { timeouts: number }>({
        cmd: 'sample',
        ms: sampleMs,
        minIntervalMs: 150,
        timeoutMs: 2000
      })
      steps.push({ clients: grown.connected, connectMs: grown.ms, failed: grown.failed, rttMs: rtt })
      console.log(
        `  ${kind} capacity ${grown.connected} clients (+${grown.failed} failed in ${grown.ms.toFixed(0)} ms): ` +
          `broadcast p95 ${rtt.p95.toFixed(1)} ms over ${rtt.count} samples`
      )
      if (grown.failed > 0) {
        stoppedBecause = `connections refused: ${JSON.stringify(grown.errors)}`
        if (rtt.p95 < 500) maxClients = grown.connected
        break
      }
      if (rtt.p95 >= 500) {
        stoppedBecause = `broadcast p95 reached ${rtt.p95.toFixed(0)} ms`
        break
      }
      maxClients = grown.connected
    }
    return { steps, maxClients, stoppedBecause }
  })
}

export interface IdleResult {
  /** Bytes per connection of every run, in order; the fields here are the median run's. */
  samples?: number[]
  stoppedBecause?: string
  connections: number
  failed: number
  rssBeforeBytes: number
  rssAfterBytes: number
  bytesPerConnection: number
  /**
   * RSS growth per connection over the second half alone: what one more connection costs once
   * the process's one-time growth (V8's young generation, caches) happened in the first half.
   */
  secondHalfBytesPerConnection?: number
}

/**
 * RSS growth per connection moves by ±30 % between identical runs (how much garbage V8 and malloc
 * hold at the moment of the reading), so each server gets `runs` fresh measurements and the median
 * one is reported, with all samples beside it.
 */
export type IdleShape = 'rooms100' | 'large'

/** Where the idle clients go: one of 100 rooms, or (the LAN shape) `general` and one of 10. */
export const IDLE_ROOMS: Record<IdleShape, RoomPlan> = {
  rooms100: { prefix: 'idle-', rooms: 100 },
  large: { prefix: 'lan-', rooms: 10, general: true }
}

export async function runIdleMedian(
  kind: ServerKind,
  profile: Profile,
  logDir: string,
  shape: IdleShape = 'rooms100'
): Promise<IdleResult> {
  const runs: IdleResult[] = []
  const settings = shape === 'large' ? profile.idleLarge : profile.idle
  for (let i = 0; i < Math.max(1, settings.runs); i++)
    runs.push(await runIdle(kind, settings, IDLE_ROOMS[shape], profile.perAddress, logDir, shape))
  const sorted = [...runs].sort((a, b) => a.bytesPerConnection - b.bytesPerConnection)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!
  return { ...median, samples: runs.map((r) => r.bytesPerConnection) }
}

function runIdle(
  kind: ServerKind,
  settings: Profile['idle'],
  room: RoomPlan,
  perAddress: number,
  logDir: string,
  shape: IdleShape
): Promise<IdleResult> {
  const { warm, count, budgetMs } = settings
  return withServer(kind, logDir, async (server, load) => {
    // Warm-up connections first, so lazily built code paths are not billed to the idle sockets.
    await load.run({
      cmd: 'connect',
      kind,
      port: server.port,
      count: warm,
      room,
      perAddress
    })
    await sleep(3000)
    const before = rssBytes(server.pid)
    // In chunks under a time budget: a server whose cost per connection grows with the number
    // already connected (presence to everyone in `general`) reports how far it got.
    const deadline = performance.now() + budgetMs
    let connected = warm
    let failed = 0
    let half: { connections: number; rss: number } | undefined
    while (connected - warm < count && performance.now() < deadline) {
      if (!half && connected - warm >= count / 2) {
        await sleep(3000)
        half = { connections: connected - warm, rss: rssBytes(server.pid) }
      }
      const grown = await load.run<{ connected: number; failed: number }>({
        cmd: 'connect',
        kind,
        port: server.port,
        count: Math.min(1000, count - (connected - warm)),
        room,
        perAddress
      })
      connected = grown.connected
      failed += grown.failed
      if (grown.failed) break
    }
    await sleep(5000)
    const after = rssBytes(server.pid)
    const added = connected - warm
    const result: IdleResult = {
      connections: added,
      failed,
      rssBeforeBytes: before,
      rssAfterBytes: after,
      bytesPerConnection: (after - before) / added,
      ...(half && added > half.connections
        ? { secondHalfBytesPerConnection: (after - half.rss) / (added - half.connections) }
        : {}),
      ...(added < count
        ? { stoppedBecause: `time budget (${budgetMs / 1000} s) spent after ${added} connections` }
        : {})
    }
    console.log(
      `  ${kind} idle (${shape === 'large' ? 'general + 1 of 10 rooms' : '1 of 100 rooms'}): ${added} connections (${failed} failed), ${(result.bytesPerConnection / 1024).toFixed(1)} KiB RSS each` +
        (result.secondHalfBytesPerConnection !== undefined
          ? ` (second half ${(result.secondHalfBytesPerConnection / 1024).toFixed(1)} KiB each)`
          : '')
    )
    return result
  })
}

export interface PersistResult {
  /** The history store alone (same SQLite settings and batching), appends in flight → completions/s. */
  store?: { appended: number; ms: number; perSecond: number; inFlight: number }
  clients: number
  rounds: { sent: number; acked: number; ms: number; perSecond: number }[]
  bestPerSecond: number
}

/** Parley only: acknowledged (written, then acked) messages per second from many senders at once. */
export function runPersist(profile: Profile, logDir: string): Promise<PersistResult> {
  const { clients, burst, rounds } = profile.persist
  return withServer('parley', logDir, async (server, load) => {
    await load.run({
      cmd: 'connect',
      kind: 'parley',
      port: server.port,
      count: clients,
      room: { prefix: 'p', own: true },
      perAddress: profile.perAddress
    })
    const results: PersistResult['rounds'] = []
    for (let i = 0; i < rounds; i++) {
      // Each round stays inside the rate limit's burst; the wait refills every bucket.
      await sleep(3500)
      const r = await load.run<PersistResult['rounds'][number]>({ cmd: 'persist', burst, timeoutMs: 30_000 })
      results.push({ sent: r.sent, acked: r.acked, ms: r.ms, perSecond: r.perSecond })
      console.log(
        `  parley persist: ${r.acked}/${r.sent} acked in ${r.ms.toFixed(0)} ms = ${r.perSecond.toFixed(0)} msgs/s`
      )
    }
    return {
      clients,
      rounds: results,
      bestPerSecond: Math.max(...results.map((r) => r.perSecond)),
      store: storeThroughput()
    }
  })
}

const JITI = new URL('../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url).pathname
const STORE_BENCH = new URL('./store-throughput.ts', import.meta.url).pathname

/** Runs bench/store-throughput.ts in its own process (through jiti: it imports server source). */
function storeThroughput(): PersistResult['store'] {
  const out = execFileSync(process.execPath, ['--no-warnings', JITI, STORE_BENCH, '3', '1000'], {
    timeout: 60_000
  })
  const result = JSON.parse(out.toString().trim().split('\n').pop()!) as NonNullable<PersistResult['store']>
  console.log(
    `  parley store alone: ${result.appended} appends in ${result.ms.toFixed(0)} ms = ${result.perSecond.toFixed(0)} msgs/s`
  )
  return result
}
