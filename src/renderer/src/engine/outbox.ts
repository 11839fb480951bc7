/**
 * Messages the person wrote that the server has not acknowledged yet. An item is `pending`
 * until the server echoes its `cid` (then it leaves the outbox: the echoed message is the
 * delivered copy), and `failed` when no echo came within the ack timeout of its frame going
 * out on a connection. Queued offline it never expires: the server has not had a chance yet.
 * Failed items stay until the person retries or discards them; a late echo still counts as delivery.
 */
import type { FileInfo } from '../../../shared/file-info'

/** A room message may answer one earlier message of the room (`replyTo`, its id). */
export type OutboxTarget =
  { kind: 'room'; room: string; replyTo?: number } | { kind: 'dm'; to: string; toNick: string }

export interface OutboxItem {
  cid: string
  target: OutboxTarget
  text: string
  /** Uploaded files going with it (sent as their ids); absent when there are none. */
  files?: FileInfo[]
  status: 'pending' | 'failed'
  /** When the person pressed Send (client clock). */
  createdAt: number
  /** Set once the frame went onto an open socket; unset while queued offline. */
  sentAt?: number
}

export class Outbox {
  private readonly items = new Map<string, OutboxItem>()
  private counter = 0

  constructor(private readonly idPrefix: string = randomPrefix()) {}

  add(target: OutboxTarget, text: string, now: number, files: FileInfo[] = []): OutboxItem {
    this.counter += 1
    const item: OutboxItem = {
      cid: `${this.idPrefix}-${this.counter}`,
      target,
      text,
      ...(files.length > 0 ? { files } : {}),
      status: 'pending',
      createdAt: now
    }
    this.items.set(item.cid, item)
    return item
  }

  get(cid: string): OutboxItem | undefined {
    return this.items.get(cid)
  }

  /** Items waiting for an open socket, oldest first. */
  unsent(): OutboxItem[] {
    return [...this.items.values()].filter((item) => item.status === 'pending' && item.sentAt === undefined)
  }

  /** Items sent on a socket that then died before their echo: the replay decides their fate. */
  inFlight(): OutboxItem[] {
    return [...this.items.values()].filter((item) => item.status === 'pending' && item.sentAt !== undefined)
  }

  markSent(cid: string, now: number): void {
    const item = this.items.get(cid)
    if (item) this.items.set(cid, { ...item, sentAt: now })
  }

  /** Forget that an item went out, so it is sent again on the next connection. */
  markUnsent(cid: string): void {
    const item = this.items.get(cid)
    if (item) this.items.set(cid, { ...item, sentAt: undefined })
  }

  /** The echo arrived: the item is delivered and leaves the outbox. Returns whether it was ours. */
  acknowledge(cid: string): boolean {
    return this.items.delete(cid)
  }

  /** Marks every item sent at least `timeoutMs` ago without an echo as failed; returns whether anything changed. */
  expire(now: number, timeoutMs: number): boolean {
    let changed = false
    for (const item of this.items.values()) {
      if (item.status === 'pending' && item.sentAt !== undefined && now - item.sentAt >= timeoutMs) {
        this.items.set(item.cid, { ...item, status: 'failed' })
        changed = true
      }
    }
    return changed
  }

  /** The earliest time a sent item would expire, for scheduling one timer instead of many. */
  nextExpiry(timeoutMs: number): number | undefined {
    let earliest: number | undefined
    for (const item of this.items.values()) {
      if (item.status !== 'pending' || item.sentAt === undefined) continue
      const at = item.sentAt + timeoutMs
      if (earliest === undefined || at < earliest) earliest = at
    }
    return earliest
  }

  /** The server refused the message outright; retrying as-is cannot help, so the person decides. */
  fail(cid: string): void {
    const item = this.items.get(cid)
    if (item) this.items.set(cid, { ...item, status: 'failed' })
  }

  /** Puts a failed item back in the queue; its timeout starts again when it is sent. */
  retry(cid: string, now: number): OutboxItem | undefined {
    const item = this.items.get(cid)
    if (!item || item.status !== 'failed') return undefined
    const again: OutboxItem = { ...item, status: 'pending', createdAt: now, sentAt: undefined }
    this.items.set(cid, again)
    return again
  }

  discard(cid: string): void {
    this.items.delete(cid)
  }

  list(): OutboxItem[] {
    return [...this.items.values()]
  }
}

function randomPrefix(): string {
  return Math.random().toString(36).slice(2, 8)
}
