/**
 * The WebSocket client's relay in the desktop app: main opens the connection (with `ws`), so it
 * can send request headers a page's WebSocket cannot, and report what a browser hides: the HTTP
 * status of a refused handshake. The renderer drives it over the typed bridge (`relay:*` in
 * src/shared/ipc.ts) through an object shaped like the browser WebSocket (bridged-socket.ts).
 */
import { WebSocket } from 'ws'
import { IpcError, type RelayEvent } from '../shared/ipc'
import type { RelayHeaders } from '../shared/relay-headers'
import { createListenerSet } from './listener-set'
import { send, type WebContentsLike } from './ipc-router'

/** Enough for several named connections; a runaway loop in the page cannot open thousands. */
export const MAX_RELAYED = 32
/** Matches what the renderer lets a person send as a file. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024
const HANDSHAKE_TIMEOUT_MS = 15_000

export interface RelayOpenRequest {
  id: string
  url: string
  protocols: string[]
  headers: RelayHeaders
}

export interface WsRelay {
  open(request: RelayOpenRequest): { id: string }
  send(id: string, payload: { kind: 'text' | 'binary'; data: string }): { bufferedAmount: number }
  close(id: string, code?: number, reason?: string): { id: string }
  /** Returns the unsubscribe. */
  onEvent(listener: (event: RelayEvent) => void): () => void
  closeAll(): void
}

function refuse(message: string): IpcError {
  return new IpcError('relay_refused', message)
}

export function createWsRelay(): WsRelay {
  const sockets = new Map<string, WebSocket>()
  const listeners = createListenerSet<RelayEvent>()

  function emit(event: RelayEvent): void {
    listeners.emit(event)
  }

  return {
    open({ id, url, protocols, headers }) {
      if (sockets.has(id)) throw refuse(`A relayed connection "${id}" is already open.`)
      if (sockets.size >= MAX_RELAYED) throw refuse(`At most ${MAX_RELAYED} relayed connections at once.`)
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        throw refuse(`"${url.slice(0, 200)}" is not a URL.`)
      }
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
        throw refuse('A WebSocket URL starts with ws:// or wss://.')
      }
      let socket: WebSocket
      try {
        socket = new WebSocket(url, protocols, {
          headers,
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          maxPayload: MAX_FRAME_BYTES
        })
      } catch (error) {
        throw refuse(`The connection could not start: ${(error as Error).message}`)
      }
      sockets.set(id, socket)
      let refusal = ''
      socket.on('unexpected-response', (_request, response) => {
        // What a browser never tells a page: why the server refused the upgrade.
        refusal =
          `The server refused the handshake: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim()
        response.resume()
        socket.terminate()
      })
      socket.on('error', (error) => {
        refusal ||= error.message
      })
      socket.on('open', () =>
        emit({ id, type: 'open', protocol: socket.protocol, extensions: socket.extensions })
      )
      socket.on('message', (data, isBinary) => {
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
        emit({
          id,
          type: 'message',
          payload: isBinary
            ? { kind: 'binary', data: buffer.toString('base64') }
            : { kind: 'text', data: buffer.toString('utf8') },
          bufferedAmount: socket.bufferedAmount
        })
      })
      socket.on('close', (code, reasonBuffer) => {
        sockets.delete(id)
        const internal = socket as WebSocket & { _closeFrameReceived?: boolean; _closeFrameSent?: boolean }
        const wasClean = Boolean(internal._closeFrameReceived && internal._closeFrameSent)
        const reason = reasonBuffer.toString('utf8') || (code === 1006 ? refusal.slice(0, 300) : '')
        emit({ id, type: 'close', code, reason, wasClean })
      })
      return { id }
    },
    send(id, payload) {
      const socket = sockets.get(id)
      if (!socket || socket.readyState !== WebSocket.OPEN)
        throw refuse('Not sent: the connection is not open.')
      const data = payload.kind === 'binary' ? Buffer.from(payload.data, 'base64') : payload.data
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length
      if (size > MAX_FRAME_BYTES) throw refuse('Frames up to 16 MiB can be relayed.')
      socket.send(data, { binary: payload.kind === 'binary' })
      return { bufferedAmount: socket.bufferedAmount }
    },
    close(id, code, reason) {
      const socket = sockets.get(id)
      if (!socket) return { id }
      try {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate()
        else socket.close(code, reason)
      } catch (error) {
        throw refuse((error as Error).message)
      }
      return { id }
    },
    onEvent: (listener) => listeners.add(listener),
    closeAll() {
      for (const socket of sockets.values()) socket.terminate()
    }
  }
}

/** Forwards relay events to a window as the `relay:event` contract event. */
export function forwardRelayEvents(relay: WsRelay, target: WebContentsLike): () => void {
  return relay.onEvent((event) => send(target, 'relay:event', event))
}
