/**
 * Persistence at the store level: Parley's history store (the real SQLite file, WAL, its own
 * batching) with many appends in flight, counting completions — the ceiling the socket path of
 * measure 4 works under. Run as a child of bench/run.ts through jiti (it imports server source).
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openHistoryStore } from '../src/main/server/history-store'

const seconds = Number(process.argv[2] ?? 3)
const inFlight = Number(process.argv[3] ?? 2000)
const dir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'))
const store = openHistoryStore(dir)
const user = { id: 'u_bench', nick: 'bench' }
const text = `a typical chat line of a few dozen characters ${'x'.repeat(20)}`
let done = 0
let failed = 0
const end = performance.now() + seconds * 1000
const started = performance.now()

await new Promise<void>((resolve) => {
  let outstanding = 0
  const refill = (): void => {
    while (outstanding < inFlight && performance.now() < end) {
      outstanding++
      store.appendMessage(`room-${(done + outstanding) % 50}`, user, text, (error) => {
        outstanding--
        if (error) failed++
        else done++
        if (performance.now() < end) {
          if (outstanding === 0 || outstanding < inFlight / 2) setImmediate(refill)
        } else if (outstanding === 0) resolve()
      })
    }
    // Time ran out between the last callback and this refill: nothing is left to call back.
    if (outstanding === 0) resolve()
  }
  refill()
})
const ms = performance.now() - started
store.close()
rmSync(dir, { recursive: true, force: true })
console.log(JSON.stringify({ appended: done, failed, ms, perSecond: (done / ms) * 1000, inFlight }))
