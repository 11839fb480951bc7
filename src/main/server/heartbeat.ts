/**
 * The ws heartbeat. A peer that sent any frame since the last tick is alive and gets no ping:
 * at light load the pings and their pongs were most of an idle server's CPU (docs/benchmarks.md).
 * A silent peer is pinged; `isAlive` is cleared before the ping and set again by the pong, so a
 * peer still cleared at the next tick missed a whole interval and is terminated (a dead TCP link
 * otherwise looks open for as long as the OS keeps it). A link that dies right after a frame is
 * so found within three intervals instead of two.
 */
import type { Logger } from 'pino'
import type { Connection } from './hub/connection'

export interface HeartbeatSocket extends Connection {
  isAlive: boolean
  /** Set by every frame the peer sends; cleared at each tick. */
  heard: boolean
}

/** Pings every silent socket each interval; returns the function that stops it. */
export function startHeartbeat(
  sockets: Iterable<HeartbeatSocket>,
  intervalMs: number,
  logger: Logger
): () => void {
  const timer = setInterval(() => {
    for (const socket of sockets) {
      if (socket.heard) {
        socket.heard = false
        socket.isAlive = true
        continue
      }
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
