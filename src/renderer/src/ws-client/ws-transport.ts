import type { ParleyApi } from '../../../shared/ipc'
import { parseHeaderLines } from '../../../shared/relay-headers'
import { bridgedWebSocket } from './bridged-socket'
import type { BinaryWebSocketFactory } from './ws-session'

/**
 * The page's WebSocket, or main's relay when there are request headers to send: a browser's
 * WebSocket cannot send any. A sentence when neither can open this connection.
 */
export function transportFor(
  headerLines: string,
  pageWebSocket: BinaryWebSocketFactory,
  bridge: ParleyApi | null | undefined
): BinaryWebSocketFactory | string {
  const parsed = parseHeaderLines(headerLines)
  if (!parsed.ok) return parsed.message
  if (Object.keys(parsed.headers).length === 0) return pageWebSocket
  if (!bridge)
    return 'A browser cannot send request headers on a WebSocket; clear them, or use the desktop app.'
  return bridgedWebSocket(bridge, parsed.headers)
}
