import type { Clock, TimerHandle } from './clock'

/**
 * Keeps this client under the server's rate limit (a token bucket of `burst`, refilled at
 * `perSecond`, counting every frame, pings included) so a pasted list of lines or fast history
 * paging is slowed down here instead of being closed with 4429 there. Frames wait in order.
 */
export class SendPacer {
  private tokens: number
  private last: number
  private readonly queue: string[] = []
  private timer: TimerHandle | undefined

  constructor(
    private readonly clock: Clock,
    private readonly write: (data: string) => void,
    private burst: number,
    private perSecond: number
  ) {
    this.tokens = burst
    this.last = clock.now()
  }

  /** The server announces its limits in `welcome`; a margin absorbs clock skew and jitter. */
  setLimits(burst: number, perSecond: number): void {
    this.burst = Math.max(1, Math.floor(burst * 0.9))
    this.perSecond = Math.max(0.5, perSecond * 0.9)
    this.tokens = Math.min(this.tokens, this.burst)
  }

  /** Frames waiting for a token. */
  get waiting(): number {
    return this.queue.length
  }

  send(data: string): void {
    this.queue.push(data)
    this.drain()
  }

  /** A new connection starts with a full bucket and nothing queued from the old one. */
  reset(): void {
    this.queue.length = 0
    this.tokens = this.burst
    this.last = this.clock.now()
    this.cancel()
  }

  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  private drain(): void {
    this.refill()
    while (this.queue.length && this.tokens >= 1) {
      this.tokens -= 1
      this.write(this.queue.shift() as string)
    }
    if (this.queue.length && this.timer === undefined) {
      const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond)
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined
        this.drain()
      }, waitMs)
    }
  }

  private refill(): void {
    const now = this.clock.now()
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000)
      this.last = now
    }
  }
}
