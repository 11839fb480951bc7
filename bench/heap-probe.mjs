// Loaded into a server under the heap census (`--expose-gc --import`): on SIGUSR2 it collects
// garbage until the heap stops shrinking, then writes a heap snapshot and process.memoryUsage()
// beside it, so two readings differ by what is live, not by what the GC had not reached yet.
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8'

const dir = process.env.PARLEY_HEAP_DIR
let taken = 0
if (dir && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    let before = Infinity
    for (let i = 0; i < 6 && process.memoryUsage().heapUsed < before; i++) {
      before = process.memoryUsage().heapUsed
      globalThis.gc()
    }
    const name = `${++taken}`
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size])
    )
    const usage = { ...process.memoryUsage(), ...getHeapStatistics(), spaces }
    if (process.env.PARLEY_HEAP_SNAPSHOT !== '0') writeHeapSnapshot(join(dir, `${name}.heapsnapshot`))
    // Renamed into place, so a reader that sees the file sees all of it.
    writeFileSync(join(dir, `${name}.json.tmp`), JSON.stringify(usage))
    renameSync(join(dir, `${name}.json.tmp`), join(dir, `${name}.json`))
  })
}
