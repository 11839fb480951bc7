/**
 * Memory back after a burst of connections. A join storm grows V8's young generation to its
 * largest size and leaves the pages it freed in V8's pool; an idle server then keeps all of it.
 * V8's memory reducer should hand it back, but it judges the allocation rate from its last
 * samples, which are the storm's, and it waited: 5,000 connections in the LAN shape left 14.4 KiB
 * of RSS each 20 s later, and 1.4 KiB after one memory-reducing collection (docs/benchmarks.md,
 * "Idle memory"). So once a burst is over and the server is quiet, it asks for that collection
 * itself.
 */
import type { Logger } from 'pino'
import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * Connections opened plus closed before a reclaim is worth its pause. The pause is about 12 ms per
 * 1,000 connections held (121 ms with 10,000); below a few hundred the storm grew the heap by a
 * few MB, which V8 reuses anyway.
 */
export const RECLAIM_AFTER_CHURN = 500
/** How often a server with a burst behind it looks for quiet. */
const CHECK_MS = 1000
/**
 * Quiet: no connection opened or closed and no frame received since the last look, and the event
 * loop busy for less than this share of it, so a reclaim never pauses a conversation. (Counting
 * frames matters: a room of 500 getting 7 broadcasts a second keeps the loop under 5 % busy, and
 * a reclaim there showed as the p95 of the bench's capacity step.) An idle server with 10,000
 * sockets is under 1 %.
 */
const QUIET_UTILIZATION = 0.05

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void

/**
 * V8's collection for memory pressure: a full GC that also shrinks the young generation and
 * releases pooled pages (a plain full GC keeps both). V8 offers it only through its gc extension,
 * which a context created after `--expose-gc` is set carries. Undefined where that fails (another
 * embedder refusing the flag): the server then leaves memory to V8.
 */
export function memoryReducingCollection(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    if (typeof gc !== 'function') return undefined
    return () => (gc as GcFunction)({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  } catch {
    return undefined
  }
}

export interface HeapReclaim {
  /** A connection opened or closed. Called for every one, so it only counts. */
  churned(): void
  /** A frame arrived. Called for every one, so it only counts. */
  received(): void
  dispose(): void
}

export interface HeapReclaimOptions {
  collect: () => void
  logger: Logger
  /** Connections opened plus closed that arm a look for quiet (the server's default: RECLAIM_AFTER_CHURN). */
  afterChurn: number
}

export function createHeapReclaim(options: HeapReclaimOptions): HeapReclaim {
  const { afterChurn } = options
  let churn = 0
  let churnAtLook = 0
  let frames = 0
  let framesAtLook = 0
  let timer: NodeJS.Timeout | undefined
  let loop = performance.eventLoopUtilization()

  function look(): void {
    const busy = performance.eventLoopUtilization(loop).utilization
    loop = performance.eventLoopUtilization()
    const quiet = churn === churnAtLook && frames === framesAtLook && busy < QUIET_UTILIZATION
    churnAtLook = churn
    framesAtLook = frames
    if (!quiet) {
      timer!.refresh()
      return
    }
    timer = undefined
    churn = churnAtLook = 0
    const rss = process.memoryUsage.rss()
    const started = performance.now()
    options.collect()
    options.logger.info(
      {
        pauseMs: Math.round(performance.now() - started),
        releasedBytes: rss - process.memoryUsage.rss()
      },
      'reclaimed memory after a burst of connections'
    )
  }

  return {
    churned() {
      if (++churn < afterChurn || timer !== undefined) return
      loop = performance.eventLoopUtilization()
      churnAtLook = churn
      framesAtLook = frames
      timer = setTimeout(look, CHECK_MS)
      timer.unref()
    },
    received() {
      frames++
    },
    dispose() {
      clearTimeout(timer)
      timer = undefined
    }
  }
}
