/**
 * A session's recent sends by idempotency key, so a `send`/`dm` repeated with the same `cid`
 * (the client resending after its acknowledgement was lost with the socket) is answered with
 * the message already stored instead of being stored and broadcast twice.
 *
 * Bounded: a resend is always one of the sender's last in-flight messages (the client resends
 * its outbox, oldest first, before anything new), so the newest `capacity` keys cover it. Only
 * the id is kept (the message itself is read back from the file on the rare resend), so a
 * sender costs a few dozen bytes per key, not the texts.
 */
export interface RecentSend {
  /** The stored message's id; 0 while queued (the store assigns it when it commits). */
  id: number
  /** False while the write is queued: its commit will acknowledge on the current connection. */
  committed: boolean
}

export interface RecentSends {
  get(key: string): RecentSend | undefined
  /** A send with this key is queued in the store. */
  pending(key: string): void
  /** The send with this key is stored as `id` (after its commit, or found in the store). */
  committed(key: string, id: number): void
  /** The write failed: a retry with this key must be stored, not swallowed. */
  forget(key: string): void
}

export const RECENT_SENDS_CAPACITY = 256

export function createRecentSends(capacity = RECENT_SENDS_CAPACITY): RecentSends {
  return new RecentSendMap(capacity)
}

/**
 * A class, not closures: every session has two of these, and four closures each cost about
 * 300 bytes per idle connection (docs/benchmarks.md, "Idle memory"); methods on a prototype cost
 * nothing per instance.
 */
class RecentSendMap implements RecentSends {
  // Created on the first send: most sessions on a busy server are readers.
  private entries: Map<string, RecentSend> | undefined
  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  get(key: string): RecentSend | undefined {
    return this.entries?.get(key)
  }

  pending(key: string): void {
    this.remember(key, 0, false)
  }

  committed(key: string, id: number): void {
    const entry = this.entries?.get(key)
    if (entry) {
      entry.id = id
      entry.committed = true
    } else {
      this.remember(key, id, true)
    }
  }

  private remember(key: string, id: number, committed: boolean): void {
    const entries = (this.entries ??= new Map())
    entries.delete(key)
    entries.set(key, { id, committed })
    // A Map iterates in insertion order: the first key is the oldest.
    if (entries.size > this.capacity) entries.delete(entries.keys().next().value!)
  }

  forget(key: string): void {
    this.entries?.delete(key)
  }
}
