import type { FileInfo } from '../../../shared/file-info'
import type { ClientMessage } from '../../../shared/protocol'
import type { Clock, TimerHandle } from './clock'
import { Outbox, type OutboxItem, type OutboxTarget } from './outbox'

export interface DeliveryHooks {
  /** Whether a send now would reach the server: welcomed, and the replay barrier passed. */
  canSend(): boolean
  /** Writes on the welcomed connection; false when there is none. */
  send(message: ClientMessage): boolean
  /** The outbox changed; the list is a fresh copy. */
  changed(items: OutboxItem[]): void
}

/**
 * The person's messages from Send to the server's echo: queued while there is no connection,
 * sent after the replay barrier (so a message that got through before a drop is not sent twice;
 * the server also deduplicates by `cid`), and marked failed when no echo comes in time. The ack
 * timer runs only for items on the current connection: an outage of any length is not a failure.
 */
export class OutboxDelivery {
  private readonly outbox: Outbox
  private ackTimer: TimerHandle | undefined

  constructor(
    private readonly clock: Clock,
    private readonly ackTimeoutMs: number,
    cidPrefix: string | undefined,
    private readonly hooks: DeliveryHooks
  ) {
    this.outbox = new Outbox(cidPrefix)
  }

  /** Queues a chat or direct message; it goes out now if connected, else after the next barrier. */
  post(target: OutboxTarget, text: string, files: FileInfo[] = []): OutboxItem {
    const item = this.outbox.add(target, text, this.clock.now(), files)
    this.flush()
    this.emit()
    return item
  }

  retry(cid: string): void {
    if (!this.outbox.retry(cid, this.clock.now())) return
    this.flush()
    this.emit()
  }

  discard(cid: string): void {
    this.outbox.discard(cid)
    this.emit()
  }

  /** The echo of one of our messages (live, replayed or in history): it is delivered. */
  acknowledge(cid: string): void {
    if (this.outbox.acknowledge(cid)) this.emit()
  }

  /** The server refused this message (too long, not in room…): retrying as-is cannot help. */
  refused(cid: string): void {
    if (!this.outbox.get(cid)) return
    this.outbox.fail(cid)
    this.emit()
  }

  /** The replay barrier passed: what is still queued did not get through, so it goes now. */
  replayDone(): void {
    this.flush()
    this.emit()
  }

  /** Anything sent on a socket that died without an echo goes out again unless the replay shows it arrived. */
  connectionLost(): void {
    for (const item of this.outbox.inFlight()) this.outbox.markUnsent(item.cid)
    // Nothing is on a connection now, so nothing can time out until the next barrier.
    this.clearAckTimer()
  }

  dispose(): void {
    this.clearAckTimer()
  }

  private flush(): void {
    if (!this.hooks.canSend()) return
    const now = this.clock.now()
    for (const item of this.outbox.unsent()) {
      const files = item.files ? { files: item.files.map((file) => file.id) } : {}
      const message: ClientMessage =
        item.target.kind === 'room'
          ? {
              type: 'send',
              room: item.target.room,
              text: item.text,
              cid: item.cid,
              ...(item.target.replyTo !== undefined ? { replyTo: item.target.replyTo } : {}),
              ...files
            }
          : { type: 'dm', to: item.target.to, text: item.text, cid: item.cid, ...files }
      if (!this.hooks.send(message)) break
      this.outbox.markSent(item.cid, now)
    }
    this.scheduleAckCheck()
  }

  private scheduleAckCheck(): void {
    this.clearAckTimer()
    const due = this.outbox.nextExpiry(this.ackTimeoutMs)
    if (due === undefined) return
    this.ackTimer = this.clock.setTimeout(
      () => {
        this.ackTimer = undefined
        if (this.outbox.expire(this.clock.now(), this.ackTimeoutMs)) this.emit()
        this.scheduleAckCheck()
      },
      Math.max(0, due - this.clock.now())
    )
  }

  private clearAckTimer(): void {
    if (this.ackTimer !== undefined) this.clock.clearTimeout(this.ackTimer)
    this.ackTimer = undefined
  }

  private emit(): void {
    this.hooks.changed(this.outbox.list())
  }
}
