/**
 * The engine's view of time. Injected so tests drive it with fake timers and the browser
 * build uses the real ones; nothing in the engine reads Date or setTimeout directly.
 */
export type TimerHandle = ReturnType<typeof setTimeout>

export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle)
}
