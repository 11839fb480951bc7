/**
 * Collects events and hands them over in one batch per scheduled flush. The scheduler is
 * injected: ~16 ms in the browser (about one frame), synchronous in tests.
 */
export type Scheduler = (flush: () => void) => () => void

export const frameScheduler: Scheduler = (flush) => {
  const handle = setTimeout(flush, 16)
  return () => clearTimeout(handle)
}

export const immediateScheduler: Scheduler = (flush) => {
  flush()
  return () => undefined
}

export function createEventBatcher<T>(deliver: (batch: T[]) => void, schedule: Scheduler) {
  let queue: T[] = []
  let scheduled = false
  let cancel: () => void = () => undefined
  const flush = () => {
    scheduled = false
    if (queue.length === 0) return
    const batch = queue
    queue = []
    deliver(batch)
  }
  return {
    push(item: T): void {
      queue.push(item)
      if (scheduled) return
      scheduled = true
      cancel = schedule(flush)
    },
    flush,
    dispose(): void {
      cancel()
      scheduled = false
      queue = []
    }
  }
}
