/**
 * `npm run bench -- --rss-breakdown [--servers parley,ws] [--shape large|rooms100] [--count 5000] [--gc-first] [--trim]`
 *
 * What an idle connection's RSS is made of (issue 17), for one server at a time: RSS, V8's own
 * physical heap and its spaces (after a full GC, through bench/heap-probe.mjs), and the process's
 * memory by mapping (`[heap]` is glibc's main arena; anonymous maps hold V8's pages and the other
 * arenas). `--gc-first` collects garbage just before the connections arrive, to show how much of
 * the growth is heap left over from the storm rather than the connections; `--trim` has gdb call
 * glibc's malloc_trim(0) at the end, to show how much is memory malloc freed but kept.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerKind } from './bench-clients'
import { askProbe } from './heap-census'
import { IDLE_ROOMS, type IdleShape } from './scenarios'
import { startLoad } from './load-driver'
import { rssBytes } from './proc-stats'
import { startServer } from './server-process'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Resident bytes by kind of mapping, from /proc/<pid>/smaps. */
function residentByMapping(pid: number): { arena: number; anonymous: number; files: number } {
  const out = { arena: 0, anonymous: 0, files: 0 }
  let kind: keyof typeof out = 'files'
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line)
    if (mapping) {
      const name = mapping[1]!.trim()
      kind = name === '[heap]' ? 'arena' : name === '' ? 'anonymous' : 'files'
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    if (rss) out[kind] += Number(rss[1]) * 1024
  }
  return out
}

interface V8Reading {
  heapUsed: number
  total_physical_size: number
  spaces: Record<string, number>
}

async function measure(kind: ServerKind, shape: string, count: number, gcFirst: boolean, trim: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-rss-'))
  process.env.PARLEY_HEAP_DIR = dir
  process.env.PARLEY_HEAP_SNAPSHOT = '0'
  const probe = new URL('./heap-probe.mjs', import.meta.url).pathname
  const server = await startServer(kind, dir, ['--expose-gc', '--import', probe])
  const load = startLoad()
  let readings = 0
  const collect = (): Promise<V8Reading> => askProbe<V8Reading>(server.pid, dir, ++readings, 30_000)
  const connect = (n: number) =>
    load.run<{ connected: number; failed: number }>({
      cmd: 'connect',
      kind,
      port: server.port,
      count: n,
      room: IDLE_ROOMS[shape as IdleShape],
      perAddress: 50
    })
  try {
    await connect(200)
    await sleep(3000)
    if (gcFirst) await collect()
    const rss0 = rssBytes(server.pid)
    const maps0 = residentByMapping(server.pid)
    let connected = 200
    while (connected < 200 + count) {
      const grown = await connect(Math.min(1000, 200 + count - connected))
      if (grown.failed) throw new Error(`${kind}: ${grown.failed} connections failed`)
      connected = grown.connected
    }
    // As the idle measure reads it: 5 s after the last connection, no GC asked for.
    await sleep(5000)
    const rss1 = rssBytes(server.pid)
    const maps1 = residentByMapping(server.pid)
    const v8 = await collect()
    const per = (bytes: number): string => `${(bytes / count / 1024).toFixed(2)} KiB`
    const line = [
      `${kind}, ${shape}, ${count} connections${gcFirst ? ', GC just before them' : ''}: RSS ${per(rss1 - rss0)} each`,
      `main arena ${per(maps1.arena - maps0.arena)}, anonymous maps ${per(maps1.anonymous - maps0.anonymous)}`,
      `after a full GC: V8 heap used ${(v8.heapUsed / 1024 / 1024).toFixed(1)} MiB, V8 physical ${(v8.total_physical_size / 1024 / 1024).toFixed(1)} MiB ` +
        `(new space ${(v8.spaces.new_space! / 1024 / 1024).toFixed(1)}, old space ${(v8.spaces.old_space! / 1024 / 1024).toFixed(1)}), RSS ${(rssBytes(server.pid) / 1024 / 1024).toFixed(1)} MiB`
    ]
    if (trim) {
      // gdb exits 1 here after the call ran ("Couldn't write extended state status" on detach), so
      // its status says nothing; the RSS reading after it is the result.
      spawnSync('gdb', ['-p', String(server.pid), '-batch', '-ex', 'call (int)malloc_trim(0)'], {
        stdio: 'ignore',
        timeout: 30_000
      })
      await sleep(500)
      line.push(`after malloc_trim(0): RSS ${per(rssBytes(server.pid) - rss0)} each`)
    }
    console.log(line.join('; '))
  } finally {
    await load.stop()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function runRssBreakdown(argv: string[]): Promise<void> {
  const arg = (flag: string, fallback: string): string => {
    const at = argv.indexOf(flag)
    return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback
  }
  const shape = arg('--shape', 'large')
  if (!(shape in IDLE_ROOMS)) throw new Error(`--shape is one of ${Object.keys(IDLE_ROOMS).join(', ')}`)
  for (const kind of arg('--servers', 'parley,ws').split(',') as ServerKind[]) {
    await measure(
      kind,
      shape,
      Number(arg('--count', '5000')),
      argv.includes('--gc-first'),
      argv.includes('--trim')
    )
  }
}
