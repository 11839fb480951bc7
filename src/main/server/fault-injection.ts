/**
 * Faults injected on purpose into a user's (or one connection's) link, so a client's author can
 * watch it cope: every frame delayed, a chosen close code, a TCP drop with no close frame, and a
 * stalled reader. Driven by the admin API (`/api/users/:id/faults`) and the host panel.
 *
 * It touches the transport at two points only: the outbound hook in fanout.ts, through which
 * fault-link.ts shapes a faulted socket's frames, and the hub's `close()` for a chosen code.
 * Lasting faults (delay, pauseReads) stay on the user until cleared and follow them onto new
 * connections.
 */
import { WebSocket } from 'ws'
import type { ActiveFaults, Fault } from '../../shared/fault-schema'
import { attachFaultLink, type FaultLink } from './fault-link'
import type { ConnectionInfo, FaultResult } from './server-types'

const DEFAULT_FAULT_REASON = 'Closed by fault injection.'

/** What the injector needs of a connection; chat-server.ts's sockets are this. */
export interface FaultTarget {
  readonly ws: WebSocket
  readonly info: ConnectionInfo
}

export interface FaultInjectorOptions {
  /** Open connections (chat-server.ts's socket set). */
  connections(): Iterable<FaultTarget>
  /** The hub's close(): detaches the connection and sends the close frame. */
  close(target: FaultTarget, code: number, reason: string): void
  /** Publish a connection's changed info (faults shown in the host panel). */
  changed(target: FaultTarget): void
}

export interface FaultInjector {
  /** Applies a fault to every open connection of the user; lasting ones follow the user. */
  forUser(userId: string, fault: Fault): FaultResult
  clearUser(userId: string): FaultResult
  forConnection(connectionId: string, fault: Fault): FaultResult
  clearConnection(connectionId: string): FaultResult
  /** A connection said hello (its userId is known): the user's lasting faults apply to it. */
  identified(target: FaultTarget): void
  /** Bytes pauseReads holds for this socket (added to its bufferedAmount). */
  heldBytes(ws: WebSocket): number
  dispose(): void
}

type LastingFaults = { delayMs?: number; pauseReads?: boolean }

export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const links = new Map<WebSocket, FaultLink>()
  const userFaults = new Map<string, LastingFaults>()

  function active(target: FaultTarget | undefined): ActiveFaults {
    return (target && links.get(target.ws)?.active()) ?? {}
  }

  function publish(target: FaultTarget): void {
    const faults = active(target)
    target.info.faults = Object.keys(faults).length > 0 ? faults : undefined
    options.changed(target)
  }

  function linkFor(target: FaultTarget): FaultLink {
    let link = links.get(target.ws)
    if (link) return link
    link = attachFaultLink(target.ws)
    links.set(target.ws, link)
    target.ws.once('close', () => release(target.ws))
    return link
  }

  function release(ws: WebSocket): void {
    links.get(ws)?.detach()
    links.delete(ws)
  }

  /** Lifts the lasting faults: held frames go out first, then delayed ones, in order. */
  function clear(target: FaultTarget): void {
    const link = links.get(target.ws)
    if (!link) return
    links.delete(target.ws)
    link.lift()
    publish(target)
  }

  function apply(target: FaultTarget, fault: Fault): void {
    if ('closeCode' in fault) {
      options.close(target, fault.closeCode, fault.reason ?? DEFAULT_FAULT_REASON)
    } else if ('drop' in fault) {
      // terminate() destroys the TCP socket with no close frame: the peer sees 1006.
      target.ws.terminate()
    } else {
      if ('delayMs' in fault) linkFor(target).delay(fault.delayMs)
      else linkFor(target).pauseReads()
      publish(target)
    }
  }

  return {
    forUser(userId, fault) {
      const targets = openConnectionsOf(options.connections(), userId)
      if (targets.length === 0) return noUser(userId)
      const kept = lasting(fault)
      if (kept) userFaults.set(userId, { ...userFaults.get(userId), ...kept })
      for (const target of targets) apply(target, fault)
      return answer(targets, kept ? active(targets[0]) : {})
    },
    clearUser(userId) {
      // A user who left with a lasting fault can have it cleared before coming back.
      const hadFaults = userFaults.delete(userId)
      const targets = openConnectionsOf(options.connections(), userId)
      for (const target of targets) clear(target)
      return targets.length > 0 || hadFaults ? answer(targets, {}) : noUser(userId)
    },
    forConnection(connectionId, fault) {
      const target = connectionById(options.connections(), connectionId)
      if (!target || target.ws.readyState !== WebSocket.OPEN) return noConnection(connectionId)
      apply(target, fault)
      return answer([target], lasting(fault) ? active(target) : {})
    },
    clearConnection(connectionId) {
      const target = connectionById(options.connections(), connectionId)
      if (!target) return noConnection(connectionId)
      clear(target)
      return answer([target], {})
    },
    identified(target) {
      if (userFaults.size === 0 || target.info.userId === undefined) return
      const kept = userFaults.get(target.info.userId)
      if (!kept) return
      if (kept.delayMs !== undefined) apply(target, { delayMs: kept.delayMs })
      if (kept.pauseReads) apply(target, { pauseReads: true })
    },
    heldBytes(ws) {
      if (links.size === 0) return 0
      return links.get(ws)?.heldBytes ?? 0
    },
    dispose() {
      for (const ws of [...links.keys()]) release(ws)
      userFaults.clear()
    }
  }
}

function openConnectionsOf(connections: Iterable<FaultTarget>, userId: string): FaultTarget[] {
  const found: FaultTarget[] = []
  for (const target of connections) {
    if (target.info.userId === userId && target.ws.readyState === WebSocket.OPEN) found.push(target)
  }
  return found
}

function connectionById(connections: Iterable<FaultTarget>, id: string): FaultTarget | undefined {
  for (const target of connections) if (target.info.id === id) return target
  return undefined
}

function lasting(fault: Fault): LastingFaults | null {
  if ('delayMs' in fault) return { delayMs: fault.delayMs }
  if ('pauseReads' in fault) return { pauseReads: true }
  return null
}

function answer(targets: FaultTarget[], faults: ActiveFaults): FaultResult {
  return { ok: true, value: { connections: targets.map((t) => t.info.id), faults } }
}

function noUser(userId: string): FaultResult {
  return {
    ok: false,
    status: 404,
    error: 'no_such_user',
    message: `No connected user with id "${userId.slice(0, 64)}".`
  }
}

function noConnection(id: string): FaultResult {
  return {
    ok: false,
    status: 404,
    error: 'no_such_connection',
    message: `No open connection "${id.slice(0, 64)}".`
  }
}
