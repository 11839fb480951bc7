/**
 * Caps the TCP connections that are not WebSockets (yet): handshakes in progress, plain HTTP
 * requests, idle keep-alives. The socket caps count upgraded sockets only, and each of these is cut
 * after the 8 s request timeout, but nothing bounded how many there were at once: the attack run
 * held 1,100 trickling connections under `ulimit -n 1024` and `/healthz` failed with resets. One
 * address may hold `maxPerAddress` of them and the server `maxTotal`; beyond that a new connection
 * is answered 503 at once and closed, so the file descriptors stay for sockets that are chatting.
 */
import type { Socket } from 'node:net'

export interface PendingConnectionOptions {
  maxTotal: number
  maxPerAddress: number
  /**
   * Peers the per-address cap does not apply to: the operator's reverse proxies, whose one
   * address carries everyone's connections (the total cap still counts them).
   */
  exempt?: (address: string) => boolean
}

export interface PendingConnections {
  /** A new TCP connection: false (and it is answered 503 and closed) when over a cap. */
  admit(socket: Socket): boolean
  /** The connection became a WebSocket: the socket caps count it from now on. */
  upgraded(socket: Socket): void
  readonly size: number
}

const RETRY_AFTER_SECONDS = 10

export function createPendingConnections(options: PendingConnectionOptions): PendingConnections {
  const open = new Map<Socket, string>()
  const perAddress = new Map<string, number>()

  // One listener for every socket: a once() closure per socket stayed on each WebSocket for its
  // whole life, about 230 bytes per idle connection (docs/benchmarks.md, "Idle memory").
  function onClose(this: Socket): void {
    release(this)
  }

  function release(socket: Socket): void {
    const address = open.get(socket)
    if (address === undefined) return
    open.delete(socket)
    socket.removeListener('close', onClose)
    const left = (perAddress.get(address) ?? 1) - 1
    if (left === 0) perAddress.delete(address)
    else perAddress.set(address, left)
  }

  function refuse(socket: Socket, message: string): void {
    socket.on('error', () => socket.destroy())
    const body = `${message}\n`
    socket.end(
      [
        'HTTP/1.1 503 Service Unavailable',
        'Connection: close',
        'Content-Type: text/plain; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `Retry-After: ${RETRY_AFTER_SECONDS}`,
        '',
        body
      ].join('\r\n')
    )
    // A peer that never reads must not keep the descriptor this cap is saving.
    socket.setTimeout(1000, () => socket.destroy())
  }

  return {
    admit(socket) {
      const address = socket.remoteAddress ?? 'unknown'
      if (open.size >= options.maxTotal) {
        refuse(socket, `The server has too many connections opening (${options.maxTotal}).`)
        return false
      }
      const mine = perAddress.get(address) ?? 0
      if (mine >= options.maxPerAddress && !options.exempt?.(address)) {
        refuse(socket, `Too many connections opening from ${address} (${options.maxPerAddress}).`)
        return false
      }
      open.set(socket, address)
      perAddress.set(address, mine + 1)
      socket.on('close', onClose)
      return true
    },
    upgraded: release,
    get size() {
      return open.size
    }
  }
}
