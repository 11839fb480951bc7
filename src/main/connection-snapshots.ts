/**
 * The host's view of its server's connections, as the Server tab receives it: the server reports
 * every open, hello and close, and counters every 500 ms per connection, so changes are
 * coalesced into one snapshot per interval and a busy server cannot flood the window.
 */
import type { ChatServer, ConnectionInfo } from './server/index'
import type { HostConnection } from '../shared/ipc'
import { createListenerSet } from './listener-set'

/** Rows in one snapshot: every open connection is kept first, then the most recently closed. */
export const MAX_SNAPSHOT_ROWS = 500

/** Open connections (oldest first), then closed ones (latest close first), capped. */
export function orderConnections(rows: readonly ConnectionInfo[], max = MAX_SNAPSHOT_ROWS): HostConnection[] {
  const open = rows.filter((row) => row.state === 'open').sort((a, b) => a.openedAt - b.openedAt)
  const closed = rows
    .filter((row) => row.state === 'closed')
    .sort((a, b) => (b.closedAt ?? b.openedAt) - (a.closedAt ?? a.openedAt))
  return [...open, ...closed].slice(0, max).map((row) => ({ ...row }))
}

export interface ConnectionSnapshots {
  /** Follows a server that just started: an empty snapshot now, then one per interval of changes. */
  follow(server: ChatServer): void
  /**
   * Stops following the server, which has closed: it still knows how every connection ended
   * (1001 on a graceful stop), and that last picture is kept and sent.
   */
  unfollow(): void
  /** The followed server's rows now, or the last picture once it stopped. */
  current(): HostConnection[]
  onSnapshot(listener: (rows: HostConnection[]) => void): () => void
}

export function createConnectionSnapshots(intervalMs: number): ConnectionSnapshots {
  const listeners = createListenerSet<HostConnection[]>()
  let followed: ChatServer | null = null
  let unsubscribe: (() => void) | null = null
  let last: HostConnection[] = []
  let timer: NodeJS.Timeout | null = null

  function publish(): void {
    timer = null
    if (!followed) return
    last = orderConnections(followed.connections())
    listeners.emit(last)
  }

  function schedule(): void {
    if (timer) return
    timer = setTimeout(publish, intervalMs)
    timer.unref?.()
  }

  return {
    follow(server) {
      followed = server
      unsubscribe = server.onConnectionChange(schedule)
      last = []
      listeners.emit(last)
    },
    unfollow() {
      if (timer) clearTimeout(timer)
      timer = null
      if (followed) last = orderConnections(followed.connections())
      unsubscribe?.()
      unsubscribe = null
      followed = null
      listeners.emit(last)
    },
    current: () => (followed ? orderConnections(followed.connections()) : last),
    onSnapshot: (listener) => listeners.add(listener)
  }
}
