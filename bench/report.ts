/** Turns a bench run into the tables of docs/benchmarks.md and an SVG chart of the fan-out. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { relative } from 'node:path'
import { format, resolveConfig } from 'prettier'
import type { CapacityResult, FanoutStep, IdleResult, PersistResult } from './scenarios'

export interface BenchResults {
  startedAt: string
  command: string
  mode: 'quick' | 'full'
  durationSeconds?: number
  /** Measures not run this time came from this earlier run. */
  mergedFrom?: { file: string; startedAt: string }
  machine: {
    cpu: string
    memoryGiB: number
    node: string
    kernel: string
    loadAverageAtStart: number[]
    loadAverageAtEnd?: number[]
  }
  servers: Record<
    string,
    {
      fanout?: FanoutStep[]
      capacity?: CapacityResult
      idle?: IdleResult
      /** Everyone in `general` plus one of 10 rooms (the LAN shape, issue 17). */
      idleLarge?: IdleResult
      persist?: PersistResult
    }
  >
}

const NAMES: Record<string, string> = { parley: 'Parley', ws: 'raw ws', socketio: 'socket.io v4' }
const COLORS: Record<string, string> = { parley: '#2563eb', ws: '#16a34a', socketio: '#dc2626' }
const BEGIN = '<!-- bench:begin -->'
const END = '<!-- bench:end -->'

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n)
    ? '–'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export const passed = (step: FanoutStep): boolean => step.latencyMs.p99 <= 100 && step.deliveredRatio >= 0.99

function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export interface Summary {
  cpuMicrosPerDelivery: number
  sustainedDeliveriesPerSecond: number
  capacityClients: number
  idleKiB: number
  idleLargeKiB: number
  durablePerSecond: number
}

export function summarizeServer(server: BenchResults['servers'][string]): Summary {
  const steps = server.fanout ?? []
  // CPU per delivery is the server's efficiency: every step that delivered counts, even one
  // whose p99 a busy machine pushed past the limit. Sustained throughput needs both limits met.
  const delivered = steps.filter((s) => s.deliveredRatio >= 0.99)
  const sustained = steps.filter(passed).map((s) => s.deliveriesPerSecond)
  return {
    cpuMicrosPerDelivery: median(delivered.map((s) => s.serverCpuMicrosPerDelivery)),
    sustainedDeliveriesPerSecond: sustained.length ? Math.max(...sustained) : NaN,
    capacityClients: server.capacity?.maxClients ?? NaN,
    idleKiB: server.idle ? server.idle.bytesPerConnection / 1024 : NaN,
    idleLargeKiB: server.idleLarge ? server.idleLarge.bytesPerConnection / 1024 : NaN,
    durablePerSecond: server.persist?.bestPerSecond ?? NaN
  }
}

/** A baseline's figure, or `fallback` when that baseline has none (not run, or no step qualified). */
const known = (v: number | undefined, fallback: number): number =>
  v === undefined || Number.isNaN(v) ? fallback : v

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–'
}

export function renderTables(results: BenchResults, rawFile: string): string {
  const kinds = Object.keys(results.servers)
  const summaries = Object.fromEntries(kinds.map((k) => [k, summarizeServer(results.servers[k]!)]))
  const p = summaries.parley
  const lines: string[] = []
  lines.push(
    `Run ${results.startedAt} (${results.mode}, ${results.durationSeconds ?? '?'} s): \`${results.command}\` on ${results.machine.cpu}, ` +
      `${results.machine.memoryGiB} GiB, Node ${results.machine.node}, ${results.machine.kernel}. Load average at start ` +
      `${results.machine.loadAverageAtStart.join(' / ')}, at end ${results.machine.loadAverageAtEnd?.join(' / ') ?? '?'}. ` +
      `Raw JSON: \`${rawFile}\`.` +
      (results.mergedFrom
        ? ` Measures not run in it are from the run of ${results.mergedFrom.startedAt} (\`${results.mergedFrom.file}\`).`
        : ''),
    ''
  )
  if (p) {
    const targets: [string, keyof Summary, string, (v: number, s: Record<string, Summary>) => boolean][] = [
      [
        'Server CPU per delivery, µs (fan-out, median over steps with ≥ 99 % delivered)',
        'cpuMicrosPerDelivery',
        '≤ raw ws, < socket.io',
        (v, s) =>
          v <= known(s.ws?.cpuMicrosPerDelivery, Infinity) &&
          v < known(s.socketio?.cpuMicrosPerDelivery, Infinity)
      ],
      [
        'Sustained deliveries/s (fan-out, p99 ≤ 100 ms, ≥ 99 % delivered)',
        'sustainedDeliveriesPerSecond',
        '≥ both',
        (v, s) =>
          v >= known(s.ws?.sustainedDeliveriesPerSecond, 0) &&
          v >= known(s.socketio?.sustainedDeliveriesPerSecond, 0)
      ],
      [
        'Broadcast capacity, clients (p95 < 500 ms)',
        'capacityClients',
        '≥ both',
        (v, s) => v >= known(s.ws?.capacityClients, 0) && v >= known(s.socketio?.capacityClients, 0)
      ],
      [
        'Idle memory, KiB RSS per connection (1 of 100 rooms)',
        'idleKiB',
        '≤ 1.2× raw ws',
        (v, s) => v <= 1.2 * known(s.ws?.idleKiB, Infinity)
      ],
      [
        'Idle memory, KiB RSS per connection (general + 1 of 10 rooms)',
        'idleLargeKiB',
        '≤ 1.2× raw ws',
        (v, s) => v <= 1.2 * known(s.ws?.idleLargeKiB, Infinity)
      ],
      ['Durable messages/s (ack after the write)', 'durablePerSecond', '≥ 50,000', (v) => v >= 50_000]
    ]
    lines.push(
      '| Measure | Parley | raw ws | socket.io v4 | Parley ÷ raw ws | Parley ÷ socket.io | Target | Met |'
    )
    lines.push('|---|---:|---:|---:|---:|---:|---|---|')
    for (const [label, key, target, met] of targets) {
      const digits = key === 'cpuMicrosPerDelivery' || key.startsWith('idle') ? 2 : 0
      const v = p[key]
      lines.push(
        `| ${label} | ${fmt(v, digits)} | ${fmt(summaries.ws?.[key], digits)} | ${fmt(summaries.socketio?.[key], digits)} | ` +
          `${key === 'durablePerSecond' ? '–' : ratio(v, summaries.ws?.[key] ?? NaN)} | ${key === 'durablePerSecond' ? '–' : ratio(v, summaries.socketio?.[key] ?? NaN)} | ${target} | ${Number.isFinite(v) ? (met(v, summaries) ? 'yes' : '**no**') : '–'} |`
      )
    }
    lines.push('', ...perRateComparison(results), '')
  }

  lines.push('### 1. Fan-out: 10 rooms × 100 clients, staggered senders', '')
  lines.push('![Server CPU per delivery and p99 latency against offered load](benchmarks-fanout.svg)', '')
  lines.push(
    '| Server | msgs/s per client | offered deliveries/s | delivered/s | delivered | p50 ms | p95 ms | p99 ms | server CPU µs/delivery | load gen CPU | other CPU |'
  )
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const kind of kinds) {
    for (const s of results.servers[kind]!.fanout ?? []) {
      lines.push(
        `| ${NAMES[kind]} | ${s.perClientRate} | ${fmt(s.offeredDeliveriesPerSecond)} | ${fmt(s.deliveriesPerSecond)} | ${fmt(s.deliveredRatio * 100, 1)} % | ` +
          `${fmt(s.latencyMs.p50, 1)} | ${fmt(s.latencyMs.p95, 1)} | ${passed(s) ? '' : '**'}${fmt(s.latencyMs.p99, 1)}${passed(s) ? '' : '**'} | ${fmt(s.serverCpuMicrosPerDelivery, 2)} | ` +
          `${fmt(s.loadCpuPercent)} % | ${fmt(s.otherCpuPercent)} % |`
      )
    }
  }
  lines.push('', '### 2. Broadcast capacity: one room, +500 clients a step, a sampler broadcasting', '')
  lines.push('| Server | clients with p95 < 500 ms | stopped because | steps (clients: p95 ms) |')
  lines.push('|---|---:|---|---|')
  for (const kind of kinds) {
    const c = results.servers[kind]!.capacity
    if (!c) continue
    const steps = c.steps.map((s) => `${s.clients}: ${fmt(s.rttMs.p95, 0)}`).join(', ')
    lines.push(
      `| ${NAMES[kind]} | ${fmt(c.maxClients)} | ${c.stoppedBecause.replace(/\|/g, '/')} | ${steps} |`
    )
  }
  lines.push('', '### 3. Idle memory: connections that said hello and joined a room', '')
  lines.push(
    '| Server | shape | connections | RSS before | RSS after | per connection (median run) | every run, KiB | second half alone (median run) |'
  )
  lines.push('|---|---|---:|---:|---:|---:|---|---:|')
  const shapes = [
    ['idle', '1 of 100 rooms'],
    ['idleLarge', 'general + 1 of 10 rooms']
  ] as const
  for (const [field, shape] of shapes)
    for (const kind of kinds) {
      const i = results.servers[kind]![field]
      if (!i) continue
      lines.push(
        `| ${NAMES[kind]} | ${shape} | ${fmt(i.connections)}${i.failed ? ` (${i.failed} refused)` : ''}${i.stoppedBecause ? ` (${i.stoppedBecause})` : ''} | ${fmt(i.rssBeforeBytes / 2 ** 20, 1)} MiB | ` +
          `${fmt(i.rssAfterBytes / 2 ** 20, 1)} MiB | ${fmt(i.bytesPerConnection / 1024, 2)} KiB | ` +
          `${(i.samples ?? [i.bytesPerConnection]).map((b) => fmt(b / 1024, 2)).join(', ')} | ` +
          `${i.secondHalfBytesPerConnection !== undefined ? `${fmt(i.secondHalfBytesPerConnection / 1024, 2)} KiB` : '–'} |`
      )
    }
  const persist = results.servers.parley?.persist
  if (persist) {
    lines.push('', '### 4. Persistence: acknowledged messages per second (Parley only)', '')
    lines.push(
      `${persist.clients} clients, each alone in its own room, each sending a burst inside the rate limit; a message counts when its sender's acknowledgement (its own copy with its \`cid\`) arrives, which the server sends only after the SQLite write.`,
      ''
    )
    lines.push('| round | sent | acknowledged | ms | msgs/s |')
    lines.push('|---:|---:|---:|---:|---:|')
    persist.rounds.forEach((r, i) =>
      lines.push(`| ${i + 1} | ${fmt(r.sent)} | ${fmt(r.acked)} | ${fmt(r.ms)} | ${fmt(r.perSecond)} |`)
    )
  }
  return lines.join('\n')
}

/**
 * Issue 17's reading of CPU per delivery: rate by rate against raw ws, at every rate both servers
 * delivered (≥ 99 %), with Parley's p99 beside it wherever raw ws kept its p99 within 100 ms.
 */
function perRateComparison(results: BenchResults): string[] {
  const parley = results.servers.parley?.fanout ?? []
  const ws = results.servers.ws?.fanout ?? []
  const rows: string[] = []
  let below = true
  for (const p of parley) {
    const w = ws.find((s) => s.perClientRate === p.perClientRate)
    if (!w || p.deliveredRatio < 0.99 || w.deliveredRatio < 0.99) continue
    const r = p.serverCpuMicrosPerDelivery / w.serverCpuMicrosPerDelivery
    const latencyOk = !passed(w) || p.latencyMs.p99 < 100
    if (r >= 1 || !latencyOk) below = false
    rows.push(
      `| ${p.perClientRate} | ${fmt(p.serverCpuMicrosPerDelivery, 2)} | ${fmt(w.serverCpuMicrosPerDelivery, 2)} | ${r.toFixed(2)}× | ${fmt(p.latencyMs.p99, 1)} | ${fmt(w.latencyMs.p99, 1)} |`
    )
  }
  if (rows.length === 0) return []
  return [
    `CPU per delivery rate by rate against raw ws (target: below at every rate, p99 < 100 ms wherever raw ws passes): ${below ? 'met' : '**not met**'}.`,
    '',
    '| msgs/s per client | Parley µs | raw ws µs | Parley ÷ raw ws | Parley p99 ms | raw ws p99 ms |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows
  ]
}

/** Two panels: server CPU µs per delivery, and p99 latency, each against offered deliveries/s. */
export function renderChart(results: BenchResults): string {
  const W = 1000
  const H = 380
  const panelW = 420
  const panelH = 270
  const kinds = Object.keys(results.servers).filter((k) => results.servers[k]!.fanout?.length)
  const all = kinds.flatMap((k) => results.servers[k]!.fanout!)
  const xMax = Math.max(1, ...all.map((s) => s.offeredDeliveriesPerSecond)) * 1.05
  const cpuMax =
    Math.max(
      1,
      ...all.map((s) => (Number.isFinite(s.serverCpuMicrosPerDelivery) ? s.serverCpuMicrosPerDelivery : 0))
    ) * 1.1
  const p99Max = Math.min(1000, Math.max(110, ...all.map((s) => s.latencyMs.p99)) * 1.1)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`
  ]
  const panel = (
    x0: number,
    title: string,
    yMax: number,
    value: (s: FanoutStep) => number,
    yLabel: string,
    limit?: number
  ): void => {
    const y0 = 50
    const px = (x: number): number => x0 + (x / xMax) * panelW
    const py = (y: number): number => y0 + panelH - (Math.min(y, yMax) / yMax) * panelH
    out.push(`<text x="${x0}" y="24" font-size="14" font-weight="600">${title}</text>`)
    out.push(`<rect x="${x0}" y="${y0}" width="${panelW}" height="${panelH}" fill="none" stroke="#999"/>`)
    for (let i = 0; i <= 4; i++) {
      const yv = (yMax * i) / 4
      const xv = (xMax * i) / 4
      out.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${py(yv)}" y2="${py(yv)}" stroke="#eee"/>`)
      out.push(`<text x="${x0 - 6}" y="${py(yv) + 4}" text-anchor="end">${fmt(yv, yMax < 10 ? 1 : 0)}</text>`)
      out.push(`<text x="${px(xv)}" y="${y0 + panelH + 16}" text-anchor="middle">${fmt(xv / 1000)}k</text>`)
    }
    if (limit !== undefined)
      out.push(
        `<line x1="${x0}" x2="${x0 + panelW}" y1="${py(limit)}" y2="${py(limit)}" stroke="#f59e0b" stroke-dasharray="4 3"/>`
      )
    out.push(
      `<text x="${x0 + panelW / 2}" y="${y0 + panelH + 34}" text-anchor="middle">offered deliveries/s</text>`
    )
    out.push(`<text x="${x0 + 4}" y="${y0 - 6}">${yLabel}</text>`)
    for (const kind of kinds) {
      const pts = results.servers[kind]!.fanout!.filter((s) => Number.isFinite(value(s)))
      const path = pts
        .map((s) => `${px(s.offeredDeliveriesPerSecond).toFixed(1)},${py(value(s)).toFixed(1)}`)
        .join(' ')
      out.push(`<polyline points="${path}" fill="none" stroke="${COLORS[kind]}" stroke-width="2"/>`)
      for (const s of pts)
        out.push(
          `<circle cx="${px(s.offeredDeliveriesPerSecond).toFixed(1)}" cy="${py(value(s)).toFixed(1)}" r="3" fill="${COLORS[kind]}"/>`
        )
    }
  }
  panel(60, 'Server CPU per delivery (lower is better)', cpuMax, (s) => s.serverCpuMicrosPerDelivery, 'µs')
  panel(540, 'Delivery latency p99 (limit 100 ms)', p99Max, (s) => s.latencyMs.p99, 'ms', 100)
  kinds.forEach((kind, i) => {
    out.push(`<rect x="${60 + i * 140}" y="${H - 18}" width="12" height="12" fill="${COLORS[kind]}"/>`)
    out.push(`<text x="${78 + i * 140}" y="${H - 8}">${NAMES[kind]}</text>`)
  })
  out.push('</svg>')
  return out.join('\n')
}

/** Writes the tables into docs/benchmarks.md (formatted as `npm run lint` expects) and the chart. */
export async function writeReport(results: BenchResults, rawFile: string): Promise<void> {
  const docs = new URL('../docs/', import.meta.url).pathname
  const md = `${docs}benchmarks.md`
  const tables = `${BEGIN}\n${renderTables(results, relative(process.cwd(), rawFile))}\n${END}`
  const current = existsSync(md) ? readFileSync(md, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`
  const start = current.indexOf(BEGIN)
  const end = current.indexOf(END)
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + tables + current.slice(end + END.length)
      : `${current}\n${tables}\n`
  writeFileSync(md, await format(next, { ...(await resolveConfig(md)), filepath: md }))
  if (Object.values(results.servers).some((s) => s.fanout?.length))
    writeFileSync(`${docs}benchmarks-fanout.svg`, renderChart(results))
  console.log(`tables: ${md}`)
}
