/**
 * One connection of the WebSocket client to any server: the browser WebSocket and the facts a
 * person debugging a server wants (state timeline, handshake, every frame, every close with its
 * explanation, bufferedAmount), plus optional reconnect with backoff. It speaks no protocol of its
 * own, unlike the chat's ConnectionEngine. No React here: the store subscribes from outside.
 */
import { checkClientCloseArgs, describeCloseCode } from '../../../shared/close-codes'
import { systemClock, type Clock, type TimerHandle } from '../engine/clock'
import { ReconnectPolicy } from '../engine/reconnect-policy'
import { RingBuffer } from '../engine/ring-buffer'
import { utf8Length } from '../engine/utf8-length'
import { toBase64 } from './binary-payload'

export type WsState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting'

export interface WsFrame {
  seq: number
  at: number
  dir: 'in' | 'out'
  opcode: 'text' | 'binary'
  /** Payload bytes (UTF-8 for text). */
  size: number
  /** Text frames: the text. Binary frames: the bytes as base64, so a session exports as JSON. */
  data: string
}

export interface WsTimelineEntry {
  at: number
  state: WsState
  note?: string
}

export interface WsHandshake {
  url: string
  offered: string[]
  /** The subprotocol the server chose; empty when it chose none. */
  protocol: string
  extensions: string
  openedAt: number
}

export interface WsCloseRow {
  at: number
  code: number
  reason: string
  wasClean: boolean
  /** The server sent the close frame, this client closed, or nobody did (the link died or was refused). */
  by: 'server' | 'client' | 'network'
  connectedMs: number
  name: string
  meaning: string
}

export type OutgoingPayload = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array }

export type WsSessionEvent =
  | { type: 'state'; entry: WsTimelineEntry }
  | { type: 'handshake'; facts: WsHandshake }
  | { type: 'frames' }
  | { type: 'close'; row: WsCloseRow }
  | { type: 'buffered'; bytes: number }
  | { type: 'reconnect'; dueAt: number; attempt: number }

/** The part of the browser WebSocket used here (Node 22's global WebSocket has it too). */
export interface BinaryWebSocketLike {
  readonly readyState: number
  readonly protocol: string
  readonly extensions: string
  readonly bufferedAmount: number
  binaryType: string
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string | ArrayBufferView | ArrayBuffer): void
  close(code?: number, reason?: string): void
}
export type BinaryWebSocketFactory = new (url: string, protocols?: string | string[]) => BinaryWebSocketLike

export interface WsSessionOptions {
  url: string
  protocols: string[]
  autoReconnect?: boolean
  WebSocket?: BinaryWebSocketFactory
  clock?: Clock
  frameCapacity?: number
  /** How often bufferedAmount is read while open: browsers fire no event when it drains. */
  bufferedPollMs?: number
}

const OPEN = 1
const CLOSING = 2

/** Splits "a, b ,c" into the offered subprotocols. */
export function parseProtocols(text: string): string[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
}

/** A sentence for what the URL lacks, or null when `new WebSocket(url)` would accept it. */
export function checkSocketUrl(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"${url}" is not a URL: write it like ws://localhost:8080/path.`
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return `A WebSocket URL starts with ws:// or wss://, not ${parsed.protocol}//.`
  }
  if (parsed.hash) return 'A WebSocket URL cannot have a #fragment.'
  return null
}

export class WsSession {
  readonly frames: RingBuffer<WsFrame>
  private readonly clock: Clock
  private readonly policy = new ReconnectPolicy()
  private readonly listeners = new Set<(event: WsSessionEvent) => void>()
  /** What `open()` constructs: the page's WebSocket, or the desktop relay's stand-in for headers. */
  transport: BinaryWebSocketFactory
  private readonly bufferedPollMs: number
  private socket: BinaryWebSocketLike | null = null
  private current: WsState = 'idle'
  private openedAt = 0
  private closingByClient = false
  private seq = 0
  private lastBuffered = 0
  private pollTimer: TimerHandle | undefined
  private reconnectTimer: TimerHandle | undefined
  url: string
  protocols: string[]
  autoReconnect: boolean

  constructor(options: WsSessionOptions) {
    const ctor = options.WebSocket ?? (globalThis.WebSocket as unknown as BinaryWebSocketFactory | undefined)
    if (!ctor) throw new TypeError('WsSession: no WebSocket implementation available')
    this.transport = ctor
    this.url = options.url
    this.protocols = options.protocols
    this.autoReconnect = options.autoReconnect ?? false
    this.clock = options.clock ?? systemClock
    this.bufferedPollMs = options.bufferedPollMs ?? 250
    this.frames = new RingBuffer(options.frameCapacity ?? 5000)
  }

  get state(): WsState {
    return this.current
  }

  /** Returns the function that removes the listener. */
  subscribe(listener: (event: WsSessionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens (or reopens) the socket. Returns a sentence when the URL or protocols are refused. */
  open(): string | null {
    const urlProblem = checkSocketUrl(this.url)
    if (urlProblem) return urlProblem
    this.cancelReconnect()
    const previous = this.socket
    this.detachSocket()
    if (previous && previous.readyState < CLOSING) previous.close(1000, 'Reopened')
    let socket: BinaryWebSocketLike
    try {
      socket = new this.transport(this.url, this.protocols.length > 0 ? this.protocols : undefined)
    } catch (error) {
      // SyntaxError: a subprotocol that is not an HTTP token, or the same one twice.
      return `The browser refused to open it: ${(error as Error).message}`
    }
    socket.binaryType = 'arraybuffer'
    this.socket = socket
    this.closingByClient = false
    this.openedAt = 0
    const offered = this.protocols.length > 0 ? ` offering ${this.protocols.join(', ')}` : ''
    this.setState('connecting', `${this.url}${offered}`)
    socket.onopen = () => {
      if (socket !== this.socket) return
      this.openedAt = this.clock.now()
      this.emit({
        type: 'handshake',
        facts: {
          url: this.url,
          offered: this.protocols,
          protocol: socket.protocol,
          extensions: socket.extensions,
          openedAt: this.openedAt
        }
      })
      this.setState('open', socket.protocol ? `subprotocol ${socket.protocol}` : 'no subprotocol chosen')
      this.pollBuffered()
    }
    socket.onmessage = (event) => {
      if (socket === this.socket) this.received(event.data)
    }
    socket.onerror = () => {
      // The browser says nothing more (on purpose: a page must not probe the network); the close follows.
    }
    socket.onclose = (event) => {
      if (socket === this.socket) this.closed(event)
    }
    return null
  }

  /** Sends one frame. Returns a sentence when it cannot be sent. */
  send(payload: OutgoingPayload): string | null {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return 'Not sent: the connection is not open.'
    if (payload.kind === 'text') {
      socket.send(payload.text)
      this.record('out', 'text', utf8Length(payload.text), payload.text)
    } else {
      socket.send(payload.bytes)
      this.record('out', 'binary', payload.bytes.byteLength, toBase64(payload.bytes))
    }
    this.pollBuffered()
    return null
  }

  /**
   * Starts the closing handshake. Returns the browser's objection (a code outside 1000 and
   * 3000–4999, a reason over 123 bytes) without closing, or null when the close frame goes out.
   */
  close(code?: number, reason = ''): string | null {
    this.cancelReconnect()
    const socket = this.socket
    if (code !== undefined) {
      const problem = checkClientCloseArgs(code, reason)
      if (problem) return problem
    }
    if (!socket || socket.readyState >= CLOSING) {
      if (this.current === 'reconnecting') this.setState('closed', 'reconnect cancelled')
      return socket ? null : 'There is no connection to close.'
    }
    this.closingByClient = true
    socket.close(code, code === undefined ? undefined : reason)
    this.setState('closing', code === undefined ? 'close() with no code' : `close(${code})`)
    return null
  }

  setAutoReconnect(on: boolean): void {
    this.autoReconnect = on
    if (!on && this.current === 'reconnecting') {
      this.cancelReconnect()
      this.setState('closed', 'reconnect cancelled')
    }
  }

  /** Adds frames from an imported session (shown like captured ones, numbered after them). */
  loadFrames(frames: readonly WsFrame[]): void {
    for (const frame of frames) this.frames.push({ ...frame, seq: ++this.seq })
    this.emit({ type: 'frames' })
  }

  clearFrames(): void {
    this.frames.clear()
    this.emit({ type: 'frames' })
  }

  dispose(): void {
    this.cancelReconnect()
    const socket = this.socket
    this.detachSocket()
    if (socket && socket.readyState < CLOSING) socket.close(1000, 'Connection removed')
    this.listeners.clear()
  }

  private received(data: unknown): void {
    if (typeof data === 'string') {
      this.record('in', 'text', utf8Length(data), data)
    } else if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data)
      this.record('in', 'binary', bytes.byteLength, toBase64(bytes))
    } else if (ArrayBuffer.isView(data)) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      this.record('in', 'binary', bytes.byteLength, toBase64(bytes))
    }
  }

  private closed(event: { code: number; reason: string; wasClean: boolean }): void {
    this.stopPolling()
    const connectedMs = this.openedAt === 0 ? 0 : this.clock.now() - this.openedAt
    const info = describeCloseCode(event.code)
    const by = this.closingByClient ? 'client' : event.wasClean ? 'server' : 'network'
    this.emit({
      type: 'close',
      row: {
        at: this.clock.now(),
        code: event.code,
        reason: event.reason,
        wasClean: event.wasClean,
        by,
        connectedMs,
        name: info.name,
        meaning: info.meaning
      }
    })
    this.socket = null
    this.setBuffered(0)
    this.setState('closed', `${event.code} ${info.name}`)
    if (by === 'client' || !this.autoReconnect) return
    const decision = this.policy.next(event.code, connectedMs)
    if (!decision.retry) return
    const dueAt = this.clock.now() + decision.delayMs
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined
      this.open()
    }, decision.delayMs)
    this.emit({ type: 'reconnect', dueAt, attempt: decision.attempt })
    this.setState('reconnecting', `attempt ${decision.attempt} in ${decision.delayMs} ms`)
  }

  private record(dir: WsFrame['dir'], opcode: WsFrame['opcode'], size: number, data: string): void {
    this.frames.push({ seq: ++this.seq, at: this.clock.now(), dir, opcode, size, data })
    this.emit({ type: 'frames' })
  }

  private pollBuffered(): void {
    const socket = this.socket
    this.setBuffered(socket?.bufferedAmount ?? 0)
    if (this.pollTimer !== undefined || !socket || socket.readyState !== OPEN) return
    const tick = () => {
      this.pollTimer = undefined
      const live = this.socket
      if (!live || live.readyState !== OPEN) return
      this.setBuffered(live.bufferedAmount)
      this.pollTimer = this.clock.setTimeout(tick, this.bufferedPollMs)
    }
    this.pollTimer = this.clock.setTimeout(tick, this.bufferedPollMs)
  }

  private setBuffered(bytes: number): void {
    if (bytes === this.lastBuffered) return
    this.lastBuffered = bytes
    this.emit({ type: 'buffered', bytes })
  }

  private stopPolling(): void {
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer)
    this.pollTimer = undefined
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
  }

  private detachSocket(): void {
    this.stopPolling()
    const socket = this.socket
    if (!socket) return
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null
    this.socket = null
  }

  private setState(state: WsState, note?: string): void {
    this.current = state
    this.emit({ type: 'state', entry: { at: this.clock.now(), state, ...(note ? { note } : {}) } })
  }

  private emit(event: WsSessionEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
