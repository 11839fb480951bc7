import type { ClientMessage } from '../../../shared/protocol'
import type { Clock, TimerHandle } from './clock'

export interface HeartbeatOptions {
  /** App-level ping period; browsers expose no WebSocket ping frames to pages. */
  pingIntervalMs: number
  /** No frame at all for this long means the server is gone even if TCP says nothing. */
  deadAfterMs: number
}

export interface HeartbeatHooks {
  /** Writes one ping frame if a socket is open. */
  ping(frame: ClientMessage): void
  /** The server has been silent for `silentForMs`: the socket is to be abandoned. */
  dead(silentForMs: number): void
}

/**
 * The ping and dead-peer timers of one socket. A handshake into a black hole, or a server that
 * stops answering while TCP says nothing, can hang for minutes before the browser gives up: this
 * gives up after `deadAfterMs` of silence instead.
 */
export class Heartbeat {
  private pingTimer: TimerHandle | undefined
  private deadTimer: TimerHandle | undefined
  private lastFrameAt = 0

  constructor(
    private readonly clock: Clock,
    private readonly options: HeartbeatOptions,
    private readonly hooks: HeartbeatHooks
  ) {
    if (options.deadAfterMs <= options.pingIntervalMs) {
      throw new TypeError('ConnectionEngine: deadAfterMs must be longer than pingIntervalMs')
    }
  }

  /** A socket is opening: only the dead-peer timer runs, so a handshake cannot hang. */
  watchHandshake(): void {
    this.stop()
    this.lastFrameAt = this.clock.now()
    this.armDeadTimer(this.options.deadAfterMs)
  }

  /** The socket is open: ping on a period and keep watching for silence. */
  start(): void {
    this.stop()
    this.lastFrameAt = this.clock.now()
    const tick = () => {
      this.pingTimer = this.clock.setTimeout(tick, this.options.pingIntervalMs)
      this.hooks.ping({ type: 'ping', t: this.clock.now() })
    }
    this.pingTimer = this.clock.setTimeout(tick, this.options.pingIntervalMs)
    this.armDeadTimer(this.options.deadAfterMs)
  }

  /** Any frame from the server proves it is alive. */
  heard(): void {
    this.lastFrameAt = this.clock.now()
  }

  stop(): void {
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer)
    if (this.deadTimer !== undefined) this.clock.clearTimeout(this.deadTimer)
    this.pingTimer = undefined
    this.deadTimer = undefined
  }

  /** One timer that wakes when the silence would reach the limit, instead of a reset per frame. */
  private armDeadTimer(ms: number): void {
    this.deadTimer = this.clock.setTimeout(() => {
      this.deadTimer = undefined
      const silentFor = this.clock.now() - this.lastFrameAt
      if (silentFor >= this.options.deadAfterMs) this.hooks.dead(silentFor)
      else this.armDeadTimer(this.options.deadAfterMs - silentFor)
    }, ms)
  }
}
