/**
 * `npm run bench -- --heap-census [--servers parley,ws] [--counts 1000,5000] [--shape rooms100|large]`
 *
 * Where the idle bytes go (issue 17): a server with the heap probe (bench/heap-probe.mjs) gets
 * 200 warm-up connections, then each count in turn; after each, a heap snapshot is taken after a
 * full GC. The snapshots are compared by what V8 calls each object (its constructor, a closure's
 * function name, or the kind of internal array), per added connection, beside the heap, external
 * and array-buffer growth of the same readings. RSS is not reported: writing a snapshot grows it
 * by far more than the connections do (the idle measure of `npm run bench` is the RSS figure).
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerKind } from './bench-clients'
import { startLoad } from './load-driver'
import type { RoomPlan } from './load-generator'
import { IDLE_ROOMS, type IdleShape } from './scenarios'
import { startServer } from './server-process'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Asks the probe in server `pid` for its `n`th reading (a GC, then memoryUsage and V8's heap
 * statistics, and a snapshot unless PARLEY_HEAP_SNAPSHOT=0) and waits for it in `dir`.
 */
export async function askProbe<T>(pid: number, dir: string, n: number, timeoutMs: number): Promise<T> {
  process.kill(pid, 'SIGUSR2')
  const file = join(dir, `${n}.json`)
  for (let waited = 0; !existsSync(file) && waited < timeoutMs; waited += 100) await sleep(100)
  if (!existsSync(file)) throw new Error(`no reading from the heap probe after ${timeoutMs / 1000} s`)
  return JSON.parse(readFileSync(file, 'utf8')) as T
}

interface Reading {
  connections: number
  usage: { heapUsed: number; external: number; arrayBuffers: number }
  byKind: Map<string, { bytes: number; count: number }>
}

/** Sums self sizes by `type: name` (strings by type only: their name is their content). */
function census(file: string): Map<string, { bytes: number; count: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: {
      meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }
    }
    nodes: number[]
    edges: number[]
    strings: string[]
  }
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f))
  const out = new Map<string, { bytes: number; count: number }>()
  const { nodes, strings, edges } = snapshot
  const edgeWidth = snapshot.snapshot.meta.edge_fields.length
  const edgeTypes = snapshot.snapshot.meta.edge_types[0]
  const edgeCountAt = fields.indexOf('edge_count')
  let edgeAt = 0
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt!]!]!
    const name = strings[nodes[i + nameAt!]!]
    const edgeCount = nodes[i + edgeCountAt]!
    // A plain object is told apart by its property names (the first few), a context by its variables.
    let shape = ''
    if ((type === 'object' && name === 'Object') || name === 'system / Context') {
      const names: string[] = []
      for (let e = 0; e < edgeCount && names.length < 6; e++) {
        const at = edgeAt + e * edgeWidth
        const edgeType = edgeTypes[edges[at]!]
        if (edgeType === 'property' || edgeType === 'context') names.push(strings[edges[at + 1]!]!)
      }
      shape = ` {${names.join(',')}}`
    }
    edgeAt += edgeCount * edgeWidth
    const named =
      type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array'
    const key = named ? `${type}: ${name}${shape}` : type
    const entry = out.get(key) ?? { bytes: 0, count: 0 }
    entry.bytes += nodes[i + sizeAt!]!
    entry.count++
    out.set(key, entry)
  }
  return out
}

async function measure(kind: ServerKind, counts: number[], room: RoomPlan): Promise<Reading[]> {
  const dir = mkdtempSync(join(tmpdir(), `parley-heap-${kind}-`))
  process.env.PARLEY_HEAP_DIR = dir
  const probe = new URL('./heap-probe.mjs', import.meta.url).pathname
  const logDir = mkdtempSync(join(tmpdir(), 'parley-heap-logs-'))
  const server = await startServer(kind, logDir, ['--expose-gc', '--import', probe])
  const load = startLoad()
  const readings: Reading[] = []
  const connect = (count: number) =>
    load.run<{ connected: number; failed: number }>({
      cmd: 'connect',
      kind,
      port: server.port,
      count,
      room,
      perAddress: 50
    })
  const snapshot = async (connections: number): Promise<void> => {
    await sleep(3000)
    const n = readings.length + 1
    const usage = await askProbe<Reading['usage']>(server.pid, dir, n, 120_000)
    readings.push({
      connections,
      usage,
      byKind: census(join(dir, `${n}.heapsnapshot`))
    })
    rmSync(join(dir, `${n}.heapsnapshot`))
  }
  try {
    let connected = (await connect(200)).connected
    await snapshot(connected)
    for (const count of counts) {
      const grown = await connect(count - (connected - 200))
      if (grown.failed) throw new Error(`${kind}: ${grown.failed} connections failed`)
      connected = grown.connected
      await snapshot(connected)
    }
  } finally {
    await load.stop()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(logDir, { recursive: true, force: true })
  }
  return readings
}

const bytes = (n: number): string => `${n.toFixed(0)} B`

function report(kind: ServerKind, readings: Reading[], top: number): void {
  const base = readings[0]!
  for (const reading of readings.slice(1)) {
    const added = reading.connections - base.connections
    const per = (a: number, b: number): number => (a - b) / added
    console.log(
      `\n${kind}: ${added} connections over the 200 warm ones — per connection: JS heap ${bytes(per(reading.usage.heapUsed, base.usage.heapUsed))}, external ${bytes(per(reading.usage.external, base.usage.external))} ` +
        `(array buffers ${bytes(per(reading.usage.arrayBuffers, base.usage.arrayBuffers))})`
    )
    const rows = [...reading.byKind].map(([key, now]) => {
      const was = base.byKind.get(key) ?? { bytes: 0, count: 0 }
      return { key, bytes: per(now.bytes, was.bytes), count: per(now.count, was.count) }
    })
    rows.sort((a, b) => b.bytes - a.bytes)
    const heap = rows.reduce((sum, r) => sum + r.bytes, 0)
    console.log(`  snapshot total ${bytes(heap)} per connection; the largest:`)
    for (const row of rows.slice(0, top)) {
      console.log(
        `  ${row.bytes.toFixed(0).padStart(6)} B  ${row.count.toFixed(2).padStart(6)} ×  ${row.key}`
      )
    }
  }
}

export async function runHeapCensus(argv: string[]): Promise<void> {
  const arg = (flag: string, fallback: string): string => {
    const at = argv.indexOf(flag)
    return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback
  }
  const kinds = arg('--servers', 'parley,ws').split(',') as ServerKind[]
  const counts = arg('--counts', '1000,5000').split(',').map(Number)
  const shape = IDLE_ROOMS[arg('--shape', 'large') as IdleShape]
  if (!shape) throw new Error(`--shape is one of ${Object.keys(IDLE_ROOMS).join(', ')}`)
  for (const kind of kinds) report(kind, await measure(kind, counts, shape), Number(arg('--top', '30')))
}
