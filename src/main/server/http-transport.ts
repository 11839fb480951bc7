/**
 * The HTTP (or, with TLS, HTTPS) server and its upgrade routing: Node's timeouts against slow
 * peers, the cap on connections that are not WebSockets yet, the handshake gate, then the hand-off
 * of an accepted upgrade to the WebSocket server.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket as TcpSocket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import type { WebSocket, WebSocketServer } from 'ws'
import { createPendingConnections } from './pending-connections'
import type { TlsIdentity } from './tls-identity'
import type { ClientView, ProxyTrust } from './trusted-proxy'
import { refuseHandshake, type GateDecision } from './upgrade-gate'

const REQUEST_TIMEOUT_MS = 8000
/**
 * Node's requestTimeout covers the body too: at 8 s a 25 MiB upload over a 20 Mbit/s Wi-Fi link
 * was cut with 408. Headers (every handshake) still have 8 s; a stalled upload is cut by the
 * upload route's own idle timer (files/file-routes.ts).
 */
const BODY_TIMEOUT_MS = 10 * 60_000
export const STARTUP_ABORTED = 'The server was closed while it was starting.'

export interface HttpTransportOptions {
  identity: TlsIdentity | undefined
  handler: RequestListener
  logger: Logger
  maxPendingConnections: number
  maxPendingConnectionsPerIp: number
  proxyTrust: ProxyTrust
  clientOf(req: IncomingMessage): ClientView
  gate(req: IncomingMessage, client: ClientView): GateDecision
  socketServer: WebSocketServer
  /** An upgrade the gate let through, now a WebSocket. */
  accept(ws: WebSocket, client: ClientView, peer: string): void
}

export function createHttpTransport(options: HttpTransportOptions): Server {
  const { identity, handler, logger, clientOf, gate, socketServer, accept } = options
  // Slowloris: a request's headers (a WebSocket handshake's included) must be complete within 8 s.
  // Node checks every connectionsCheckingInterval, so a trickled handshake is cut within 10 s.
  const httpOptions = {
    headersTimeout: REQUEST_TIMEOUT_MS,
    requestTimeout: BODY_TIMEOUT_MS,
    connectionsCheckingInterval: 1000
  }
  // With TLS, https and wss share the port; a plain ws:// or http:// peer fails the TLS
  // handshake and never reaches the chat.
  const server: Server = identity
    ? createHttpsServer({ ...httpOptions, cert: identity.cert, key: identity.key }, handler)
    : createHttpServer(httpOptions, handler)
  if (identity) {
    server.on('tlsClientError', (error: Error, socket: Duplex) => {
      logger.debug(
        { ip: (socket as { remoteAddress?: string }).remoteAddress, err: error.message },
        'TLS handshake failed'
      )
      socket.destroy()
    })
  }
  const pending = createPendingConnections({
    maxTotal: options.maxPendingConnections,
    maxPerAddress: options.maxPendingConnectionsPerIp,
    exempt: (address) => options.proxyTrust.trusts(address)
  })
  // With TLS the socket the upgrade hands over is the TLS one, so that is the one counted (a TLS
  // handshake in progress is bounded by Node's own handshake timeout instead).
  server.on(identity ? 'secureConnection' : 'connection', (socket: TcpSocket) => {
    if (!pending.admit(socket)) logger.debug({ ip: socket.remoteAddress }, 'too many connections opening')
  })
  server.on('upgrade', (req, socket, head) => {
    pending.upgraded(socket as TcpSocket)
    // Not an arrow: a closure here would share this scope's context, which holds `req`, and
    // keep every connection's IncomingMessage alive for as long as its socket (~1 KB each).
    socket.on('error', destroyOnError)
    const client = clientOf(req)
    const peer = req.socket.remoteAddress ?? 'unknown'
    const decision = gate(req, client)
    if (!decision.ok) {
      logger.info(
        {
          ip: client.address,
          ...(client.forwarded !== undefined ? { via: peer } : {}),
          status: decision.status,
          url: req.url
        },
        decision.message
      )
      refuseHandshake(socket, decision)
      return
    }
    socketServer.handleUpgrade(req, socket, head, (ws) => {
      // ws has its own error listener on the socket from here on.
      socket.removeListener('error', destroyOnError)
      accept(ws, client, peer)
    })
  })
  return server
}

/** Binds the port; rejects with STARTUP_ABORTED when the server is closed before it is bound. */
export function bindServer(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const closedFirst = () => reject(new Error(STARTUP_ABORTED))
    server.once('error', reject)
    server.once('close', closedFirst)
    server.listen(port, host, () => {
      server.off('error', reject)
      server.off('close', closedFirst)
      resolve()
    })
  })
}

function destroyOnError(this: Duplex): void {
  this.destroy()
}
