/**
 * The server's record of connections for the host UI and inspector: every open one and the
 * last `keepClosed` closed ones. Counter changes (messages in/out) are coalesced and published
 * at most every `intervalMs`, so a busy socket cannot flood the listener (the Electron host
 * forwards these over IPC).
 */
import type { ConnectionInfo } from './server-types'

export interface TrackedConnection {
  readonly info: ConnectionInfo
  /** Bytes queued on the socket right now. */
  bufferedAmount(): number
}

export interface ConnectionLog {
  add(connection: TrackedConnection): void
  /** Publish now (open, hello, close are worth an immediate event). */
  changed(connection: TrackedConnection): void
  /** Counters moved; published with the next coalesced batch. */
  touched(connection: TrackedConnection): void
  closed(connection: TrackedConnection): void
  list(): ConnectionInfo[]
  subscribe(listener: (info: ConnectionInfo) => void): () => void
  dispose(): void
}

export function createConnectionLog(keepClosed = 200, intervalMs = 500): ConnectionLog {
  const open = new Map<string, TrackedConnection>()
  const recentlyClosed: ConnectionInfo[] = []
  const listeners = new Set<(info: ConnectionInfo) => void>()
  const dirty = new Set<TrackedConnection>()
  let timer: NodeJS.Timeout | undefined

  function snapshot(connection: TrackedConnection): ConnectionInfo {
    return { ...connection.info, bufferedAmount: connection.bufferedAmount() }
  }

  function publish(info: ConnectionInfo): void {
    for (const listener of listeners) listener(info)
  }

  function flushDirty(): void {
    timer = undefined
    for (const connection of dirty) publish(snapshot(connection))
    dirty.clear()
  }

  return {
    add(connection) {
      open.set(connection.info.id, connection)
      publish(snapshot(connection))
    },
    changed(connection) {
      dirty.delete(connection)
      publish(snapshot(connection))
    },
    touched(connection) {
      if (listeners.size === 0) return
      dirty.add(connection)
      if (timer === undefined) {
        timer = setTimeout(flushDirty, intervalMs)
        timer.unref()
      }
    },
    closed(connection) {
      open.delete(connection.info.id)
      dirty.delete(connection)
      const info = { ...connection.info, bufferedAmount: 0 }
      recentlyClosed.push(info)
      if (recentlyClosed.length > keepClosed) recentlyClosed.splice(0, recentlyClosed.length - keepClosed)
      publish(info)
    },
    list() {
      return [...[...open.values()].map(snapshot), ...recentlyClosed]
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      dirty.clear()
      listeners.clear()
    }
  }
}
