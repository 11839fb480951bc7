/**
 * Faults injected on purpose into a user's (or one connection's) link, so a client's author can
 * watch it cope: every frame delayed, a chosen close code, a TCP drop with no close frame, and a
 * stalled reader. Driven by the admin API (`/api/users/:id/faults`) and the host panel.
 *
 * It touches the transport at two points only: `setOutboundHook` in fanout.ts (every frame the hub
 * writes passes through `sendFrame`), and the hub's `close()` for a chosen code. Lasting faults
 * (delay, pauseReads) stay on the user until cleared and follow them onto new connections.
 */
import { WebSocket } from 'ws'
import { setOutboundHook, writeFrame, type OutboundFrame } from './fanout'
import type { ActiveFaults, Fault } from '../../shared/fault-schema'
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

interface LinkState {
  delayMs: number
  paused: boolean
  held: OutboundFrame[]
  heldBytes: number
  /** Delayed frames in order; each leaves at or after its due time, never before an earlier one. */
  delayed: { dueAt: number; frame: OutboundFrame }[]
  timer: NodeJS.Timeout | undefined
}

function frameBytes(frame: OutboundFrame): number {
  return frame.bytes?.length ?? Buffer.byteLength(frame.text)
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

export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  const links = new Map<WebSocket, LinkState>()
  const userFaults = new Map<string, { delayMs?: number; pauseReads?: boolean }>()

  function active(link: LinkState | undefined): ActiveFaults {
    if (!link) return {}
    return {
      ...(link.delayMs > 0 ? { delayMs: link.delayMs } : {}),
      ...(link.paused ? { pauseReads: true, heldBytes: link.heldBytes } : {})
    }
  }

  function publish(target: FaultTarget): void {
    const faults = active(links.get(target.ws))
    target.info.faults = Object.keys(faults).length > 0 ? faults : undefined
    options.changed(target)
  }

  function drainDelayed(ws: WebSocket, link: LinkState): void {
    link.timer = undefined
    const now = Date.now()
    while (link.delayed.length > 0 && (link.delayed[0]?.dueAt ?? 0) <= now) {
      const next = link.delayed.shift()!
      if (ws.readyState === WebSocket.OPEN) writeFrame(ws, next.frame)
    }
    const head = link.delayed[0]
    if (head) link.timer = setTimeout(() => drainDelayed(ws, link), head.dueAt - now)
  }

  function outbound(ws: WebSocket, link: LinkState, frame: OutboundFrame): void {
    if (link.paused) {
      // As a stalled reader's kernel buffers would: kept, and counted against the slow-consumer cap.
      link.held.push(frame)
      link.heldBytes += frameBytes(frame)
      return
    }
    if (link.delayMs === 0 && link.delayed.length === 0) {
      writeFrame(ws, frame)
      return
    }
    const last = link.delayed.at(-1)?.dueAt ?? 0
    link.delayed.push({ dueAt: Math.max(Date.now() + link.delayMs, last), frame })
    if (link.timer === undefined) link.timer = setTimeout(() => drainDelayed(ws, link), link.delayMs)
  }

  function linkFor(target: FaultTarget): LinkState {
    let link = links.get(target.ws)
    if (link) return link
    const created: LinkState = {
      delayMs: 0,
      paused: false,
      held: [],
      heldBytes: 0,
      delayed: [],
      timer: undefined
    }
    link = created
    links.set(target.ws, created)
    setOutboundHook(target.ws, (frame) => outbound(target.ws, created, frame))
    target.ws.once('close', () => release(target.ws))
    return created
  }

  function release(ws: WebSocket): void {
    const link = links.get(ws)
    if (!link) return
    if (link.timer !== undefined) clearTimeout(link.timer)
    links.delete(ws)
    setOutboundHook(ws, undefined)
  }

  /** Lifts the lasting faults: held frames go out first, then delayed ones, in order. */
  function clear(target: FaultTarget): void {
    const link = links.get(target.ws)
    if (!link) return
    release(target.ws)
    if (target.ws.readyState === WebSocket.OPEN) {
      for (const frame of link.held) writeFrame(target.ws, frame)
      for (const { frame } of link.delayed) writeFrame(target.ws, frame)
    }
    publish(target)
  }

  function apply(target: FaultTarget, fault: Fault): void {
    if ('closeCode' in fault) {
      options.close(target, fault.closeCode, fault.reason ?? DEFAULT_FAULT_REASON)
    } else if ('drop' in fault) {
      // terminate() destroys the TCP socket with no close frame: the peer sees 1006.
      target.ws.terminate()
    } else if ('delayMs' in fault) {
      linkFor(target).delayMs = fault.delayMs
      publish(target)
    } else {
      linkFor(target).paused = true
      publish(target)
    }
  }

  function userConnections(userId: string): FaultTarget[] {
    const found: FaultTarget[] = []
    for (const target of options.connections()) {
      if (target.info.userId === userId && target.ws.readyState === WebSocket.OPEN) found.push(target)
    }
    return found
  }

  function connectionById(id: string): FaultTarget | undefined {
    for (const target of options.connections()) if (target.info.id === id) return target
    return undefined
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

  function answer(targets: FaultTarget[], faults: ActiveFaults): FaultResult {
    return { ok: true, value: { connections: targets.map((t) => t.info.id), faults } }
  }

  function lasting(fault: Fault): { delayMs?: number; pauseReads?: boolean } | null {
    if ('delayMs' in fault) return { delayMs: fault.delayMs }
    if ('pauseReads' in fault) return { pauseReads: true }
    return null
  }

  return {
    forUser(userId, fault) {
      const targets = userConnections(userId)
      if (targets.length === 0) return noUser(userId)
      const kept = lasting(fault)
      if (kept) userFaults.set(userId, { ...userFaults.get(userId), ...kept })
      for (const target of targets) apply(target, fault)
      const first = targets[0]
      return answer(targets, first && kept ? active(links.get(first.ws)) : {})
    },
    clearUser(userId) {
      // A user who left with a lasting fault can have it cleared before coming back.
      const hadFaults = userFaults.delete(userId)
      const targets = userConnections(userId)
      for (const target of targets) clear(target)
      return targets.length > 0 || hadFaults ? answer(targets, {}) : noUser(userId)
    },
    forConnection(connectionId, fault) {
      const target = connectionById(connectionId)
      if (!target || target.ws.readyState !== WebSocket.OPEN) return noConnection(connectionId)
      apply(target, fault)
      return answer([target], lasting(fault) ? active(links.get(target.ws)) : {})
    },
    clearConnection(connectionId) {
      const target = connectionById(connectionId)
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
