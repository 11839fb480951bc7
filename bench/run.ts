/**
 * `npm run bench [-- --quick] [-- --servers parley,ws,socketio] [-- --only fanout,capacity,idle,persist]`
 * `npm run bench -- --search [--messages 1000000]`: the search measure alone (bench/search-bench.ts).
 * `npm run bench -- --cluster [--quick]`: one Parley node against two behind one Redis (bench/cluster.ts).
 * `npm run bench -- --heap-census [--shape large|rooms100]`: where idle bytes go (bench/heap-census.ts).
 * `npm run bench -- --rss-breakdown [--gc-first] [--trim]`: what idle RSS is made of (bench/rss-breakdown.ts).
 *
 * Runs Parley (the built CLI, as shipped), a socket.io v4 chat baseline and a raw ws broadcast
 * baseline one after another on this machine, each in its own process on a loopback port, driven
 * by the same load generator in another process. Raw results go to bench/results/, the tables and
 * chart to docs/benchmarks.md (between its bench markers) and docs/benchmarks-fanout.svg.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { format } from 'prettier'
import { runFanout } from './fanout'
import { FULL, QUICK, runCapacity, runIdleMedian, runPersist } from './scenarios'
import { writeReport, type BenchResults } from './report'
import type { ServerKind } from './bench-clients'

const argv = process.argv.slice(2)

// --search [--messages N]: the search measure alone (store level, no servers, no build).
if (argv.includes('--search')) {
  const at = argv.indexOf('--messages')
  const messages = at >= 0 && argv[at + 1] ? argv[at + 1]! : '1000000'
  const script = new URL('./search-bench.ts', import.meta.url).pathname
  const jiti = new URL('../node_modules/jiti/lib/jiti-cli.mjs', import.meta.url).pathname
  console.log(`search over ${Number(messages).toLocaleString()} stored messages…`)
  const out = execFileSync(process.execPath, ['--no-warnings', jiti, script, messages, '200'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Generation is bounded by the count: about 90 s per million messages on the reference machine.
    timeout: 15 * 60_000
  })
  const line = out.toString().trim().split('\n').pop()!
  const dir = new URL('./results/', import.meta.url).pathname
  mkdirSync(dir, { recursive: true })
  const file = `${dir}search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
  // Formatted as `npm run lint` (prettier --check .) expects of every file in the repo.
  writeFileSync(file, await format(line, { parser: 'json' }))
  const result = JSON.parse(line) as { p50: number; p95: number; p99: number; generationMs: number }
  console.log(
    `search: p50 ${result.p50.toFixed(2)} ms, p95 ${result.p95.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (generated in ${(result.generationMs / 1000).toFixed(0)} s) → ${file}`
  )
  process.exit(0)
}
// --heap-census: where each idle connection's bytes go (bench/heap-census.ts), nothing else.
if (argv.includes('--heap-census')) {
  const { runHeapCensus } = await import('./heap-census')
  await runHeapCensus(argv)
  process.exit(0)
}
// --rss-breakdown: what an idle connection's RSS is made of (bench/rss-breakdown.ts), nothing else.
if (argv.includes('--rss-breakdown')) {
  const { runRssBreakdown } = await import('./rss-breakdown')
  await runRssBreakdown(argv)
  process.exit(0)
}
// --cluster: one node against two behind one Redis (bench/cluster.ts), nothing else.
if (argv.includes('--cluster')) {
  const { runClusterBench } = await import('./cluster')
  await runClusterBench()
  process.exit(0)
}
const listArg = (flag: string, all: string[]): string[] => {
  const at = argv.indexOf(flag)
  return at >= 0 && argv[at + 1] ? argv[at + 1]!.split(',') : all
}
const quick = argv.includes('--quick')
const rates = listArg('--rates', []).map(Number)
const base = quick ? QUICK : FULL
const profile = {
  ...base,
  fanout: rates.length ? { ...base.fanout, rates } : base.fanout,
  allSteps: argv.includes('--all-steps')
}
const servers = listArg('--servers', ['parley', 'ws', 'socketio']) as ServerKind[]
const only = new Set(listArg('--only', ['fanout', 'capacity', 'idle', 'persist']))

const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const resultsDir = new URL('./results/', import.meta.url).pathname
const logDir = `${resultsDir}logs-${stamp}`
mkdirSync(logDir, { recursive: true })

const wantsBuild =
  !process.env.PARLEY_BENCH_CLI && (!argv.includes('--no-build') || !existsSync('out/main/cli.js'))
if (servers.includes('parley') && wantsBuild) {
  console.log('building Parley (electron-vite build)…')
  execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' })
}

const started = Date.now()
const results: BenchResults = {
  startedAt: new Date(started).toISOString(),
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  mode: quick ? 'quick' : 'full',
  machine: {
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: execFileSync('uname', ['-sr']).toString().trim(),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2)))
  },
  servers: {}
}

// The servers take turns at each fan-out rate (bench/fanout.ts); the other measures run per server.
if (only.has('fanout')) console.log('fan-out, the servers taking turns at each rate:')
const fanout = only.has('fanout') ? await runFanout(servers, profile, logDir) : {}
for (const kind of servers) {
  const entry: BenchResults['servers'][string] = {}
  results.servers[kind] = entry
  console.log(`${kind}:`)
  if (fanout[kind]) entry.fanout = fanout[kind]
  if (only.has('capacity')) entry.capacity = await runCapacity(kind, profile, logDir)
  if (only.has('idle')) {
    entry.idle = await runIdleMedian(kind, profile, logDir, 'rooms100')
    entry.idleLarge = await runIdleMedian(kind, profile, logDir, 'large')
  }
  if (only.has('persist') && kind === 'parley') entry.persist = await runPersist(profile, logDir)
}
results.durationSeconds = Math.round((Date.now() - started) / 1000)

// --merge FILE: measures not run this time are taken from an earlier run (named in the tables).
const mergeAt = argv.indexOf('--merge')
if (mergeAt >= 0 && argv[mergeAt + 1]) {
  const earlier = JSON.parse(readFileSync(argv[mergeAt + 1]!, 'utf8')) as BenchResults
  results.mergedFrom = { file: argv[mergeAt + 1]!, startedAt: earlier.startedAt }
  for (const [kind, measures] of Object.entries(earlier.servers)) {
    results.servers[kind] = { ...measures, ...results.servers[kind] }
  }
}
results.machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)))

const file = `${resultsDir}${stamp}-${results.mode}.json`
// Formatted as `npm run lint` (prettier --check .) expects of every file in the repo.
writeFileSync(file, await format(JSON.stringify(results), { parser: 'json' }))
console.log(`raw results: ${file}`)
if (!argv.includes('--no-docs')) await writeReport(results, file)
console.log(`done in ${results.durationSeconds} s`)
