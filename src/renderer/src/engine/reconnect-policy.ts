import { describeCloseCode } from '../../../shared/close-codes'

/**
 * When to reconnect after a close: exponential backoff with full jitter
 * (delay = random × min(cap, base × 2^attempt)), so a server restart is not met by every
 * client at the same instant. The advice per close code comes from the shared table, so the
 * server and the client cannot disagree about which closes are worth retrying.
 */
export interface ReconnectPolicyOptions {
  /** First retry lands within this many ms. */
  baseMs?: number
  capMs?: number
  /** Extra wait for closes whose advice is `retry-later` (1013, 4429). */
  laterFloorMs?: number
  /** A connection that stayed up this long resets the attempt counter. */
  stableMs?: number
  random?: () => number
}

export type ReconnectDecision =
  { retry: true; delayMs: number; attempt: number } | { retry: false; reason: 'ask' | 'stop' }

export class ReconnectPolicy {
  private attempt = 0
  private readonly baseMs: number
  private readonly capMs: number
  private readonly laterFloorMs: number
  private readonly stableMs: number
  private readonly random: () => number

  constructor(options: ReconnectPolicyOptions = {}) {
    this.baseMs = options.baseMs ?? 1000
    this.capMs = options.capMs ?? 30_000
    this.laterFloorMs = options.laterFloorMs ?? 5000
    this.stableMs = options.stableMs ?? 60_000
    this.random = options.random ?? Math.random
    if (!(this.baseMs > 0 && this.capMs >= this.baseMs)) {
      throw new TypeError('ReconnectPolicy: baseMs must be > 0 and capMs >= baseMs')
    }
  }

  /** The ceiling for the next attempt before jitter; exposed for the inspector and tests. */
  ceilingMs(attempt = this.attempt): number {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(attempt, 30))
  }

  /**
   * Decides what to do after a close. `connectedForMs` is how long the connection was open
   * (0 when it never opened); a stable connection starts the backoff afresh.
   */
  next(code: number, connectedForMs: number): ReconnectDecision {
    const advice = describeCloseCode(code).retry
    if (advice === 'ask' || advice === 'stop') return { retry: false, reason: advice }
    if (connectedForMs >= this.stableMs) this.attempt = 0
    const attempt = this.attempt
    const jittered = Math.floor(this.random() * this.ceilingMs(attempt))
    const delayMs = advice === 'retry-later' ? this.laterFloorMs + jittered : jittered
    this.attempt += 1
    return { retry: true, delayMs, attempt: attempt + 1 }
  }

  reset(): void {
    this.attempt = 0
  }
}
