import type { WebSocketLike } from '../../src/renderer/src/engine/socket-types'

/**
 * A stand-in for the browser WebSocket, driven by the test: the engine's timing (backoff, ping,
 * dead-server detection, ack timeouts) is tested under fake timers, where real sockets cannot run.
 * The engine's wire behaviour against a real server is covered by connection-engine.ws.test.ts.
 */
export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = []
  readyState = 0
  protocol = ''
  extensions = ''
  bufferedAmount = 0
  onopen: WebSocketLike['onopen'] = null
  onmessage: WebSocketLike['onmessage'] = null
  onclose: WebSocketLike['onclose'] = null
  onerror: WebSocketLike['onerror'] = null
  readonly sent: string[] = []
  closedWith: { code?: number; reason?: string } | undefined

  constructor(
    readonly url: string,
    readonly protocols?: string | string[]
  ) {
    FakeSocket.instances.push(this)
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances.at(-1)
    if (!socket) throw new Error('no socket was opened')
    return socket
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open')
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 2
  }

  /** Messages the engine sent, parsed. */
  sentMessages(): Array<Record<string, unknown>> {
    return this.sent.map((data) => JSON.parse(data) as Record<string, unknown>)
  }

  serverOpens(protocol = 'parley.v1'): void {
    this.readyState = 1
    this.protocol = protocol
    this.onopen?.({})
  }

  serverSends(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }

  serverCloses(code: number, reason = '', wasClean = code !== 1006): void {
    this.readyState = 3
    this.onclose?.({ code, reason, wasClean })
  }
}
