/**
 * Test support: TLS clients that trust a self-signed server the way the desktop app does, by
 * its certificate's SHA-256 fingerprint and nothing else (no CA, no hostname check).
 */
import { createHash } from 'node:crypto'
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls'
import WebSocket from 'ws'
import { SUBPROTOCOL } from '../../src/shared/protocol'

export class PinMismatch extends Error {
  override readonly name = 'PinMismatch'
  constructor(readonly presented: string) {
    super(`The server presented certificate ${presented}, not the pinned one.`)
  }
}

function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex')
}

/** The SHA-256 (hex) of the certificate `host:port` presents, computed from its DER bytes. */
export function presentedFingerprint(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const fingerprint = sha256Hex(socket.getPeerCertificate(true).raw)
      socket.end()
      resolve(fingerprint)
    })
    socket.once('error', reject)
  })
}

/** A TLS socket that is destroyed before any byte is sent unless the certificate matches `pin`. */
function pinnedSocket(pin: string) {
  return (options: ConnectionOptions): TLSSocket => {
    const socket = tlsConnect({ ...options, rejectUnauthorized: false })
    socket.once('secureConnect', () => {
      const presented = sha256Hex(socket.getPeerCertificate(true).raw)
      if (presented !== pin) socket.destroy(new PinMismatch(presented))
    })
    return socket
  }
}

/** Opens `wss://…` (the Parley subprotocol) trusting only a certificate whose fingerprint is `pin`. */
export function openPinned(url: string, pin: string): Promise<WebSocket> {
  const ws = new WebSocket(url, SUBPROTOCOL, { createConnection: pinnedSocket(pin) as never })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The next text frame, parsed. */
export function nextMessage(
  ws: WebSocket,
  timeoutMs = 3000
): Promise<{ type: string; [key: string]: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms`)), timeoutMs)
    ws.once('message', (data) => {
      clearTimeout(timer)
      resolve(JSON.parse(String(data)) as { type: string })
    })
  })
}
