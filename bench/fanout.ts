/**
 * Measure 1, fan-out: every server under test is started and gets its clients first, then the
 * rates are stepped up with the servers taking turns at each rate. Run one server after another,
 * the same rate was measured minutes apart, and this machine's speed drifts by 10–20 % within
 * minutes (raw ws at 0.1 msgs/s per client: 12.86 and 10.97 µs per delivery in two runs half an
 * hour apart), which is the size of the differences being measured. Taking turns puts each
 * server's step of a rate within a minute of the others'.
 */
import { cpuSeconds, machineBusySeconds } from './proc-stats'
import { startLoad, type LoadDriver } from './load-driver'
import { startServer, type RunningServer } from './server-process'
import type { ServerKind } from './bench-clients'
import type { LatencySummary } from './latency-stats'
import type { FanoutStep, Profile } from './scenarios'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Contender {
  kind: ServerKind
  server: RunningServer
  load: LoadDriver
  steps: FanoutStep[]
  /** Past its limit (p99 over 100 ms or under 99 % delivered): no higher rate is tried. */
  done: boolean
}

export async function runFanout(
  kinds: ServerKind[],
  profile: Profile,
  logDir: string
): Promise<Partial<Record<ServerKind, FanoutStep[]>>> {
  const contenders: Contender[] = []
  try {
    for (const kind of kinds) {
      const server = await startServer(kind, logDir)
      const load = startLoad()
      contenders.push({ kind, server, load, steps: [], done: false })
      await connectClients(kind, server, load, profile)
    }
    for (const contender of contenders) await warmUp(contender, profile)
    for (const rate of profile.fanout.rates) {
      for (const contender of contenders) {
        if (contender.done) continue
        const step = await measureStep(contender, rate, profile)
        contender.steps.push(step)
        if (!profile.allSteps && (step.latencyMs.p99 > 100 || step.deliveredRatio < 0.99))
          contender.done = true
      }
      if (contenders.every((c) => c.done)) break
    }
    return Object.fromEntries(contenders.map((c) => [c.kind, c.steps]))
  } finally {
    for (const { load, server } of contenders) {
      await load.stop()
      await server.stop()
    }
  }
}

async function connectClients(
  kind: ServerKind,
  server: RunningServer,
  load: LoadDriver,
  profile: Profile
): Promise<void> {
  const { rooms, perRoom } = profile.fanout
  const connected = await load.run<{ connected: number; failed: number }>({
    cmd: 'connect',
    kind,
    port: server.port,
    count: rooms * perRoom,
    room: { prefix: 'fan-', rooms },
    perAddress: profile.perAddress
  })
  if (connected.failed > 0)
    throw new Error(
      `fan-out: ${connected.failed} ${kind} clients failed to connect (${JSON.stringify(connected)})`
    )
}

/**
 * Before the first step: a real server has run its message path many times over, and the first
 * step would otherwise also measure V8 compiling it (on its helper threads, which count as the
 * server's CPU). The same for every server.
 */
async function warmUp({ load }: Contender, profile: Profile): Promise<void> {
  const { warmup, drainMs } = profile.fanout
  await load.run({ cmd: 'rate', perClientPerSecond: warmup.perClientRate })
  await sleep(warmup.ms)
  await load.run({ cmd: 'rate', perClientPerSecond: 0 })
  await sleep(drainMs)
  await load.run({ cmd: 'report' })
}

/** One rate against one server: warm-up, the measured window, the drain, then quiet again. */
async function measureStep(contender: Contender, rate: number, profile: Profile): Promise<FanoutStep> {
  const { kind, server, load } = contender
  const { warmMs, measureMs, drainMs } = profile.fanout
  await load.run({ cmd: 'rate', perClientPerSecond: rate })
  await sleep(warmMs)
  await load.run({ cmd: 'report' }) // discard the warm-up
  const cpu0 = cpuSeconds(server.pid)
  const load0 = load.cpuSeconds()
  const busy0 = machineBusySeconds()
  const t0 = performance.now()
  await load.run({ cmd: 'window', on: true })
  await sleep(measureMs)
  await load.run({ cmd: 'window', on: false })
  const seconds = (performance.now() - t0) / 1000
  const serverCpu = cpuSeconds(server.pid) - cpu0
  const loadCpu = load.cpuSeconds() - load0
  const otherCpu = machineBusySeconds() - busy0 - serverCpu - loadCpu
  await sleep(drainMs)
  const r = await load.run<LatencySummary & { sent: number; expected: number; received: number }>({
    cmd: 'report'
  })
  const step: FanoutStep = {
    perClientRate: rate,
    offeredDeliveriesPerSecond: Math.round(r.expected / seconds),
    deliveriesPerSecond: Math.round(r.received / seconds),
    deliveredRatio: r.expected ? r.received / r.expected : 0,
    latencyMs: { count: r.count, p50: r.p50, p95: r.p95, p99: r.p99, max: r.max },
    serverCpuSeconds: serverCpu,
    serverCpuMicrosPerDelivery: r.received ? (serverCpu / r.received) * 1e6 : NaN,
    loadCpuPercent: (loadCpu / seconds) * 100,
    otherCpuPercent: Math.max(0, (otherCpu / seconds) * 100),
    closed: r.closed
  }
  console.log(
    `  ${kind} fan-out ${rate}/s/client: ${step.deliveriesPerSecond} deliveries/s (${(step.deliveredRatio * 100).toFixed(1)} %), ` +
      `p99 ${step.latencyMs.p99.toFixed(1)} ms, ${step.serverCpuMicrosPerDelivery.toFixed(2)} µs CPU/delivery, ` +
      `load gen ${step.loadCpuPercent.toFixed(0)} %, other ${step.otherCpuPercent.toFixed(0)} %`
  )
  await load.run({ cmd: 'rate', perClientPerSecond: 0 })
  await sleep(drainMs)
  await load.run({ cmd: 'report' })
  return step
}
