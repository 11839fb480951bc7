/**
 * A WebSocket-shaped object whose connection lives in the desktop app's main process (the relay,
 * src/main/ws-relay.ts), so it can carry request headers. WsSession drives it exactly like the
 * browser's WebSocket; only the desktop app (window.parley) can build one.
 */
import type { ParleyApi, RelayEvent } from '../../../shared/ipc'
import type { RelayHeaders } from '../../../shared/relay-headers'
import { toBase64 } from './binary-payload'
import type { BinaryWebSocketFactory, BinaryWebSocketLike } from './ws-session'

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

let nextId = 0

export function bridgedWebSocket(api: ParleyApi, headers: RelayHeaders): BinaryWebSocketFactory {
  return class BridgedSocket implements BinaryWebSocketLike {
    readyState = CONNECTING
    protocol = ''
    extensions = ''
    bufferedAmount = 0
    binaryType = 'arraybuffer'
    onopen: BinaryWebSocketLike['onopen'] = null
    onmessage: BinaryWebSocketLike['onmessage'] = null
    onclose: BinaryWebSocketLike['onclose'] = null
    onerror: BinaryWebSocketLike['onerror'] = null
    private readonly id = `r${Date.now().toString(36)}-${++nextId}`
    private readonly off: () => void

    constructor(url: string, protocols?: string | string[]) {
      this.off = api.relay.onEvent((event) => {
        if (event.id === this.id) this.handle(event)
      })
      const offered = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols]
      api.relay.open({ id: this.id, url, protocols: offered, headers }).catch((error: unknown) => {
        this.finish({ code: 1006, reason: (error as Error).message, wasClean: false })
      })
    }

    send(data: string | ArrayBufferView | ArrayBuffer): void {
      if (this.readyState !== OPEN) throw new Error('InvalidStateError: the connection is not open.')
      const payload =
        typeof data === 'string'
          ? { kind: 'text' as const, data }
          : {
              kind: 'binary' as const,
              data: toBase64(
                data instanceof ArrayBuffer
                  ? new Uint8Array(data)
                  : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
              )
            }
      void api.relay
        .send({ id: this.id, payload })
        .then((answer) => (this.bufferedAmount = answer.bufferedAmount))
        .catch(() => undefined)
    }

    close(code?: number, reason?: string): void {
      if (this.readyState >= CLOSING) return
      this.readyState = CLOSING
      void api.relay
        .close({ id: this.id, ...(code !== undefined ? { code } : {}), ...(reason ? { reason } : {}) })
        .catch(() => undefined)
    }

    private handle(event: RelayEvent): void {
      if (event.type === 'open') {
        this.readyState = OPEN
        this.protocol = event.protocol
        this.extensions = event.extensions
        this.onopen?.({})
      } else if (event.type === 'message') {
        this.bufferedAmount = event.bufferedAmount
        const { kind, data } = event.payload
        if (kind === 'text') this.onmessage?.({ data })
        else this.onmessage?.({ data: Uint8Array.from(atob(data), (c) => c.charCodeAt(0)).buffer })
      } else {
        this.finish(event)
      }
    }

    private finish(event: { code: number; reason: string; wasClean: boolean }): void {
      if (this.readyState === CLOSED) return
      this.readyState = CLOSED
      this.off()
      this.onclose?.(event)
    }
  }
}
