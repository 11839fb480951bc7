import { describeCloseCode } from '../../../shared/close-codes'
import { SUBPROTOCOL } from '../../../shared/protocol'
import type { Clock, TimerHandle } from './clock'
import type { CloseRow, EngineEvent, EngineState } from './engine-events'
import { ReconnectPolicy, type ReconnectPolicyOptions } from './reconnect-policy'
import { OPEN, type NetworkStatus, type WebSocketFactory, type WebSocketLike } from './socket-types'

export interface LifecycleOptions {
  url: string
  WebSocket: WebSocketFactory
  clock: Clock
  network?: NetworkStatus
  reconnect?: ReconnectPolicyOptions
}

/** What the engine does at each step of a socket's life. */
export interface LifecycleHooks {
  /** A new socket exists and is connecting. */
  opening(): void
  /** The socket is open: time for hello. */
  opened(socket: WebSocketLike): void
  /** A frame arrived on the current socket. */
  frame(data: unknown): void
  /** The socket is gone (closed, abandoned or never opened); `row` was emitted already. */
  closed(row: CloseRow): void
  emit(event: EngineEvent): void
}

const NO_NETWORK = 'The system reports no network; waiting for it to come back.'

/**
 * One socket at a time and what happens between sockets: open with the subprotocol, tell a
 * close by the client, the server or the network apart, then reconnect with backoff, wait for the
 * network, or stop and say why. Events of a socket that was replaced or abandoned are ignored.
 */
export class SocketLifecycle {
  private socket: WebSocketLike | null = null
  private current: EngineState = 'idle'
  private readonly policy: ReconnectPolicy
  private closingByClient = false
  private stopAfterClose = false
  private openedAt = 0
  private welcomedAt = 0
  private everWelcomed = false
  private reconnectTimer: TimerHandle | undefined
  private readonly unsubscribeNetwork: (() => void) | undefined
  private disposed = false

  constructor(
    private readonly options: LifecycleOptions,
    private readonly hooks: LifecycleHooks
  ) {
    this.policy = new ReconnectPolicy(options.reconnect)
    this.unsubscribeNetwork = options.network?.subscribe((online) => this.onNetworkChange(online))
  }

  get state(): EngineState {
    return this.current
  }

  get url(): string {
    return this.options.url
  }

  /** Whether a socket is open (welcomed or not). */
  get isOpen(): boolean {
    return this.socket?.readyState === OPEN
  }

  /** A socket exists, in whatever readyState: the pacer may queue frames for it. */
  get hasSocket(): boolean {
    return this.socket !== null
  }

  /** When the current socket opened; 0 while it has not. */
  get openSince(): number {
    return this.openedAt
  }

  /** Writes a frame on the open socket; returns the socket, or undefined when none is open. */
  write(data: string): WebSocketLike | undefined {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return undefined
    socket.send(data)
    return socket
  }

  /** Opens the connection, or retries now if a reconnect is scheduled. */
  connect(): void {
    if (this.disposed) return
    const busy = this.current === 'connecting' || this.current === 'authenticating' || this.current === 'open'
    if (this.socket && busy) return
    this.clearReconnect()
    this.stopAfterClose = false
    // A person asking to connect starts the backoff afresh.
    this.policy.reset()
    if (this.options.network && !this.options.network.online()) {
      this.setState('offline', NO_NETWORK)
      return
    }
    this.openSocket()
  }

  /** Closes on purpose (1000) and stays closed. */
  disconnect(reason: string): void {
    this.clearReconnect()
    this.stopAfterClose = true
    if (this.socket && this.socket.readyState <= OPEN) {
      this.closingByClient = true
      this.setState('closing', 'Closing on request.')
      this.socket.close(1000, reason)
    } else {
      this.setState('idle')
    }
  }

  /** Closes with a code already checked against the browser's rules; false when nothing is open. */
  closeWith(code: number, reason: string): boolean {
    if (!this.socket || this.socket.readyState > OPEN) return false
    this.clearReconnect()
    this.stopAfterClose = true
    this.closingByClient = true
    this.setState('closing', `Closing with ${code} on request.`)
    this.socket.close(code, reason)
    return true
  }

  /** The server welcomed this socket: reconnects are automatic from now on. */
  welcomed(): void {
    this.everWelcomed = true
    this.welcomedAt = this.options.clock.now()
  }

  /** The dead-server path: TCP may take minutes to notice, so the engine gives up on the socket itself. */
  abandon(note: string): void {
    const socket = this.socket
    if (!socket) return
    detach(socket)
    this.socket = null
    try {
      socket.close(4000, 'No reply to ping')
    } catch {
      // A socket that is still CONNECTING cannot take a code; it is being abandoned either way.
    }
    this.finishClose(1006, note, false, 'network')
  }

  setState(state: EngineState, note?: string): void {
    this.current = state
    this.hooks.emit({
      type: 'state',
      entry: {
        at: this.options.clock.now(),
        state,
        readyState: this.socket?.readyState ?? null,
        ...(note ? { note } : {})
      }
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.stopAfterClose = true
    this.disposed = true
    this.clearReconnect()
    this.unsubscribeNetwork?.()
    const socket = this.socket
    this.socket = null
    if (socket) {
      detach(socket)
      if (socket.readyState <= OPEN) socket.close(1000, 'Bye')
    }
  }

  private openSocket(): void {
    this.closingByClient = false
    this.openedAt = 0
    const { url } = this.options
    let socket: WebSocketLike
    try {
      socket = new this.options.WebSocket(url, SUBPROTOCOL)
    } catch (error) {
      // The constructor throws for a malformed URL or one the page's CSP forbids.
      this.setState('connecting', `Opening ${url}`)
      this.finishClose(1006, `The browser refused to open it: ${(error as Error).message}`, false, 'client')
      return
    }
    this.socket = socket
    this.setState('connecting', `Opening ${url}`)
    this.hooks.opening()
    socket.onopen = () => {
      if (socket !== this.socket) return
      this.openedAt = this.options.clock.now()
      this.hooks.opened(socket)
    }
    socket.onmessage = (event) => {
      if (socket === this.socket) this.hooks.frame(event.data)
    }
    socket.onclose = (event) => this.onClose(socket, event.code, event.reason, event.wasClean)
    // The close event always follows an error event and carries the facts; nothing to add here.
    socket.onerror = () => undefined
  }

  private onClose(socket: WebSocketLike, code: number, reason: string, wasClean: boolean): void {
    if (socket !== this.socket) return
    detach(socket)
    this.socket = null
    const by = this.closingByClient ? 'client' : code === 1006 ? 'network' : 'server'
    this.finishClose(code, reason, wasClean, by)
  }

  private finishClose(code: number, reason: string, wasClean: boolean, by: CloseRow['by']): void {
    const now = this.options.clock.now()
    const info = describeCloseCode(code)
    const row: CloseRow = {
      at: now,
      code,
      reason,
      wasClean,
      by,
      connectedMs: this.openedAt ? now - this.openedAt : 0,
      name: info.name,
      meaning: info.meaning,
      retry: info.retry
    }
    this.hooks.emit({ type: 'close', row })
    this.hooks.closed(row)
    if (this.disposed) return
    if (this.stopAfterClose || by === 'client') return this.stop(row, 'stop')
    if (!this.everWelcomed) return this.stop(row, 'first-connect')
    const decision = this.policy.next(code, this.welcomedAt ? now - this.welcomedAt : 0)
    if (!decision.retry) return this.stop(row, decision.reason)
    if (this.options.network && !this.options.network.online()) {
      this.setState('offline', NO_NETWORK)
      return
    }
    const dueAt = now + decision.delayMs
    this.hooks.emit({
      type: 'reconnect',
      attempt: { at: now, attempt: decision.attempt, delayMs: decision.delayMs, dueAt, afterCode: code }
    })
    this.setState('reconnecting', `Attempt ${decision.attempt} in ${decision.delayMs} ms (after ${code}).`)
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = undefined
      this.openSocket()
    }, decision.delayMs)
  }

  private stop(close: CloseRow, reason: 'ask' | 'stop' | 'first-connect'): void {
    this.setState(reason === 'stop' ? 'idle' : 'closed', `${close.code} ${close.name}`)
    this.hooks.emit({ type: 'stopped', info: { close, reason } })
  }

  private onNetworkChange(online: boolean): void {
    if (!online && this.current === 'reconnecting') {
      this.clearReconnect()
      this.setState('offline', NO_NETWORK)
    } else if (online && this.current === 'offline') {
      this.policy.reset()
      this.openSocket()
    }
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== undefined) this.options.clock.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null
  socket.onmessage = null
  socket.onclose = null
  socket.onerror = null
}
