/**
 * close()'s shutdown sequence over whatever listen() had started (server-startup.ts's record):
 * nothing new is let in, queued messages are committed and acknowledged, every client is told
 * 1001 and given a moment to answer, then the transport and the stores close.
 */
import type { Logger } from 'pino'
import { CloseCode } from '../../shared/close-codes'
import type { ChatHub } from './hub/chat-hub'
import type { ConnectionLog } from './connection-log'
import type { Socket } from './socket-admission'
import type { StartedParts } from './started-parts'

/** How long close() waits for clients to answer the 1001 before cutting them off. */
const SHUTDOWN_GRACE_MS = 2000

export interface ShutdownDeps {
  sockets: ReadonlySet<Socket>
  log: ConnectionLog
  logger: Logger
}

export async function shutDown(parts: StartedParts, deps: ShutdownDeps): Promise<void> {
  const { sockets } = deps
  parts.stopHeartbeat?.()
  parts.stopRetention?.()
  // Withdrawn first, so nobody is sent to a server that is going away.
  const goodbye = parts.announcer?.stop()
  // Commit and acknowledge what is queued before saying goodbye, so no sender is left guessing.
  await parts.store?.flush()
  await sayGoingAway([...sockets], parts.hub)
  for (const socket of sockets) socket.ws.terminate()
  parts.wss?.close()
  if (parts.http) {
    const server = parts.http
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
  await goodbye
  parts.faults?.dispose()
  parts.hub?.dispose()
  parts.store?.close()
  parts.files?.close()
  parts.moderation?.close()
  await parts.bus?.close()
  deps.log.dispose()
  parts.stalls?.dispose()
}

/** Sends 1001 to each socket and waits until all have closed, or the grace period is over. */
async function sayGoingAway(open: Socket[], hub: ChatHub | undefined): Promise<void> {
  for (const socket of open) socket.closing = true
  const allClosed = Promise.all(
    open.map((socket) => new Promise<void>((resolve) => socket.ws.once('close', () => resolve())))
  )
  for (const socket of open) {
    hub?.detach(socket)
    socket.sentClose = { code: CloseCode.GoingAway, reason: 'The server is shutting down.' }
    socket.ws.close(CloseCode.GoingAway, socket.sentClose.reason)
  }
  let grace: NodeJS.Timeout | undefined
  await Promise.race([
    allClosed,
    new Promise<void>((resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)))
  ])
  clearTimeout(grace)
}

/** The port could not be bound: closes what the start opened (no socket was accepted yet). */
export async function releaseUnbound(parts: StartedParts): Promise<void> {
  parts.hub?.dispose()
  parts.store?.close()
  parts.files?.close()
  parts.moderation?.close()
  await parts.bus?.close()
  parts.stalls?.dispose()
}
