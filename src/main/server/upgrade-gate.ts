/**
 * Decides, before any upgrade, whether a WebSocket handshake may proceed. Refusals are plain
 * HTTP responses (the browser then reports close 1006; the status is visible in devtools, curl
 * and the inspector's handshake view).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { SUBPROTOCOL } from '../../shared/protocol'
import type { OriginCheck } from './origin-policy'
import type { ClientView } from './trusted-proxy'

export type GateDecision =
  { ok: true } | { ok: false; status: number; message: string; headers?: Record<string, string> }

export interface UpgradeGateOptions {
  checkOrigin: OriginCheck
  /** Null when the server has room; otherwise the refusal. `address`: the client's (ClientView). */
  capacityRefusal(address: string): GateDecision | null
  acceptingConnections(): boolean
}

export const WEBSOCKET_PATHS: ReadonlySet<string> = new Set(['/ws', '/'])

/** The subprotocols a client offered, in its order (empty when it offered none). */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol']
  if (header === undefined) return []
  return header
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
}

/** `client`: who the request is from once a trusted proxy's headers are read (trusted-proxy.ts). */
export function createUpgradeGate(
  options: UpgradeGateOptions
): (req: IncomingMessage, client: ClientView) => GateDecision {
  return (req, client) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (!WEBSOCKET_PATHS.has(path)) {
      return { ok: false, status: 404, message: `No WebSocket endpoint at ${path.slice(0, 200)}; use /ws.` }
    }
    // RFC 6455 is version 13. ws also accepts the 2011 draft's 8, which carries its origin in
    // Sec-WebSocket-Origin, a header the origin check below does not read.
    if (req.headers['sec-websocket-version'] !== '13') {
      return {
        ok: false,
        status: 400,
        message: 'Only WebSocket version 13 (RFC 6455) is supported.',
        headers: { 'Sec-WebSocket-Version': '13' }
      }
    }
    if (!options.acceptingConnections()) {
      return {
        ok: false,
        status: 503,
        message: 'The server is shutting down.',
        headers: { 'Retry-After': '5' }
      }
    }
    if (!options.checkOrigin(req.headers.origin, req.headers.host, client.forwarded)) {
      return {
        ok: false,
        status: 403,
        message: `Origin ${String(req.headers.origin).slice(0, 200)} is not allowed (start the server with --allow-origin to add it).`
      }
    }
    const offered = offeredSubprotocols(req)
    if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
      return {
        ok: false,
        status: 400,
        message: `This server speaks ${SUBPROTOCOL}; the client offered only ${offered.join(', ').slice(0, 200)}.`
      }
    }
    return options.capacityRefusal(client.address) ?? { ok: true }
  }
}

/** Answers a refused handshake with an HTTP response and closes the socket. */
export function refuseHandshake(socket: Duplex, decision: Exclude<GateDecision, { ok: true }>): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = `${decision.message}\n`
  const headers = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...decision.headers
  }
  const head = [
    `HTTP/1.1 ${decision.status} ${STATUS_CODES[decision.status] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  ].join('\r\n')
  socket.once('finish', () => socket.destroy())
  socket.end(`${head}\r\n\r\n${body}`)
}
