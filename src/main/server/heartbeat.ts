/**
 * The ws heartbeat: `isAlive` is cleared before each ping and set again by the pong, so a peer
 * still cleared at the next tick missed a whole interval and is terminated (a dead TCP link
 * otherwise looks open for as long as the OS keeps it).
 */
import type { Logger } from 'pino'
import type { Connection } from './hub/connection'

export interface HeartbeatSocket extends Connection {
  isAlive: boolean
}

/** Pings every socket each interval; returns the function that stops it. */
export function startHeartbeat(
  sockets: Iterable<HeartbeatSocket>,
  intervalMs: number,
  logger: Logger
): () => void {
  const timer = setInterval(() => {
    for (const socket of sockets) {
      if (!socket.isAlive) {
        logger.info({ conn: socket.info.id, nick: socket.info.nick }, 'peer missed a pong: terminating')
        socket.ws.terminate()
        continue
      }
      socket.isAlive = false
      socket.ws.ping()
    }
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
