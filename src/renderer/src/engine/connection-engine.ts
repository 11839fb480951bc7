import { checkClientCloseArgs, describeCloseCode } from '../../../shared/close-codes'
import {
  DM_RESUME_KEY,
  DEFAULT_LIMITS,
  SUBPROTOCOL,
  parseServerMessage,
  type ChatMessage,
  type ClientMessage,
  type ServerMessage,
  type User
} from '../../../shared/protocol'
import { systemClock, type Clock, type TimerHandle } from './clock'
import type {
  CloseRow,
  EngineEvent,
  EngineListener,
  EngineState,
  FrameRecord,
  StopInfo
} from './engine-events'
import { Outbox, type OutboxItem, type OutboxTarget } from './outbox'
import { ReconnectPolicy, type ReconnectPolicyOptions } from './reconnect-policy'
import { RingBuffer } from './ring-buffer'
import { SendPacer } from './send-pacer'
import { utf8Length } from './utf8-length'

/** The part of the browser's WebSocket the engine uses; tests pass a fake with the same shape. */
export interface WebSocketLike {
  readonly readyState: number
  readonly protocol: string
  readonly extensions: string
  readonly bufferedAmount: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketFactory = new (url: string, protocols?: string | string[]) => WebSocketLike

/** Whether the OS reports a network; the browser's navigator.onLine and online/offline events. */
export interface NetworkStatus {
  online(): boolean
  subscribe(listener: (online: boolean) => void): () => void
}

export interface EngineOptions {
  url: string
  nick: string
  password?: string
  WebSocket?: WebSocketFactory
  clock?: Clock
  network?: NetworkStatus
  reconnect?: ReconnectPolicyOptions
  /** App-level ping period; browsers expose no WebSocket ping frames to pages. */
  pingIntervalMs?: number
  /** No frame at all for this long means the server is gone even if TCP says nothing. */
  deadAfterMs?: number
  /** A sent message with no echo for this long is marked failed. */
  ackTimeoutMs?: number
  frameCapacity?: number
  /** Prefix for message cids; random by default. */
  cidPrefix?: string
  /** A session token from an earlier page load, to take that session back on the first hello. */
  session?: string
}

const OPEN = 1
/** The largest number of history pages fetched to close a gap after a non-resumed reconnect. */
const MAX_GAP_PAGES = 10

/**
 * One chat connection and everything that keeps it alive: handshake, hello/resume, reconnect
 * with backoff, app-level ping, outbox with acks, and the inspector's raw facts. No React here:
 * the store subscribes to its events from outside the component tree.
 */
export class ConnectionEngine {
  readonly frames: RingBuffer<FrameRecord>
  private readonly options: Required<
    Omit<EngineOptions, 'password' | 'network' | 'reconnect' | 'cidPrefix' | 'session'>
  > &
    Pick<EngineOptions, 'password' | 'network'>
  private readonly clock: Clock
  private readonly policy: ReconnectPolicy
  private readonly outbox: Outbox
  private readonly pacer: SendPacer
  private readonly listeners = new Set<EngineListener>()
  private socket: WebSocketLike | null = null
  private currentState: EngineState = 'idle'
  private session: string | undefined
  private me: User | undefined
  private everWelcomed = false
  /** Highest message id seen per room, and per DM_RESUME_KEY for direct messages. */
  private readonly lastSeen = new Map<string, number>()
  /** Rooms this session is in, so a non-resumed reconnect can join them again. */
  private readonly rooms = new Set<string>()
  private roomsJoinedSinceWelcome = new Set<string>()
  private welcomeResumed = false
  private openedAt = 0
  private welcomedAt = 0
  private lastFrameAt = 0
  private closingByClient = false
  private stopAfterClose = false
  private barrierT: number | undefined
  private readonly gapFill = new Map<string, { until: number; pages: number }>()
  private frameSeq = 0
  private pingTimer: TimerHandle | undefined
  private deadTimer: TimerHandle | undefined
  private reconnectTimer: TimerHandle | undefined
  private ackTimer: TimerHandle | undefined
  private unsubscribeNetwork: (() => void) | undefined
  private disposed = false

  constructor(options: EngineOptions) {
    const WebSocketCtor =
      options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory | undefined)
    if (!WebSocketCtor) throw new TypeError('ConnectionEngine: no WebSocket implementation available')
    this.options = {
      url: options.url,
      nick: options.nick,
      password: options.password,
      WebSocket: WebSocketCtor,
      clock: options.clock ?? systemClock,
      network: options.network,
      pingIntervalMs: options.pingIntervalMs ?? 10_000,
      deadAfterMs: options.deadAfterMs ?? 25_000,
      ackTimeoutMs: options.ackTimeoutMs ?? 30_000,
      frameCapacity: options.frameCapacity ?? 5000
    }
    if (this.options.deadAfterMs <= this.options.pingIntervalMs) {
      throw new TypeError('ConnectionEngine: deadAfterMs must be longer than pingIntervalMs')
    }
    this.clock = this.options.clock
    this.policy = new ReconnectPolicy(options.reconnect)
    this.outbox = new Outbox(options.cidPrefix)
    this.session = options.session
    this.frames = new RingBuffer(this.options.frameCapacity)
    this.pacer = new SendPacer(
      this.clock,
      (data) => this.writeNow(data),
      DEFAULT_LIMITS.rateBurst,
      DEFAULT_LIMITS.ratePerSecond
    )
    this.pacer.setLimits(DEFAULT_LIMITS.rateBurst, DEFAULT_LIMITS.ratePerSecond)
    this.unsubscribeNetwork = this.options.network?.subscribe((online) => this.onNetworkChange(online))
  }

  get state(): EngineState {
    return this.currentState
  }

  get user(): User | undefined {
    return this.me
  }

  get url(): string {
    return this.options.url
  }

  /** A copy of the resume map the next hello will carry. */
  resumePoints(): Record<string, number> {
    return Object.fromEntries(this.lastSeen)
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens the connection, or retries now if a reconnect is scheduled. */
  connect(): void {
    if (this.disposed) return
    if (
      this.socket &&
      (this.currentState === 'connecting' ||
        this.currentState === 'authenticating' ||
        this.currentState === 'open')
    )
      return
    this.clearTimer('reconnectTimer')
    this.stopAfterClose = false
    // A person asking to connect starts the backoff afresh.
    this.policy.reset()
    if (this.options.network && !this.options.network.online()) {
      this.setState('offline', 'The system reports no network; waiting for it to come back.')
      return
    }
    this.openSocket()
  }

  /** Closes on purpose (1000) and stays closed. */
  disconnect(reason = 'Bye'): void {
    this.clearTimer('reconnectTimer')
    this.stopAfterClose = true
    if (this.socket && this.socket.readyState <= OPEN) {
      this.closingByClient = true
      this.setState('closing', 'Closing on request.')
      this.socket.close(1000, reason)
    } else {
      this.setState('idle')
    }
  }

  /**
   * The inspector's "Close with code": the browser only allows 1000 or 3000–4999 and a reason of
   * at most 123 UTF-8 bytes. Returns the rule that was broken, or null after closing.
   */
  closeWithCode(code: number, reason: string): string | null {
    const problem = checkClientCloseArgs(code, reason)
    if (problem) return problem
    if (!this.socket || this.socket.readyState > OPEN) return 'There is no open connection to close.'
    this.clearTimer('reconnectTimer')
    this.stopAfterClose = true
    this.closingByClient = true
    this.setState('closing', `Closing with ${code} on request.`)
    this.socket.close(code, reason)
    return null
  }

  /** Sends a protocol message now; false when there is no open, welcomed connection. */
  send(message: ClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || this.currentState !== 'open') return false
    this.transmit(JSON.stringify(message))
    return true
  }

  /** The inspector's raw send box: any text, even invalid JSON, to see what the server says. */
  sendRaw(text: string): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false
    this.transmit(text)
    return true
  }

  /** Queues a chat or direct message; it goes out now if connected, else on reconnect. */
  post(target: OutboxTarget, text: string): OutboxItem {
    const item = this.outbox.add(target, text, this.clock.now())
    this.flushOutbox()
    this.scheduleAckCheck()
    this.emitOutbox()
    return item
  }

  retry(cid: string): void {
    if (!this.outbox.retry(cid, this.clock.now())) return
    this.flushOutbox()
    this.scheduleAckCheck()
    this.emitOutbox()
  }

  discard(cid: string): void {
    this.outbox.discard(cid)
    this.emitOutbox()
  }

  /** Stops everything and forgets listeners; the engine cannot be used again. */
  dispose(): void {
    if (this.disposed) return
    this.stopAfterClose = true
    this.disposed = true
    this.clearTimer('reconnectTimer')
    this.clearTimer('ackTimer')
    this.stopHeartbeat()
    this.pacer.cancel()
    this.unsubscribeNetwork?.()
    const socket = this.socket
    this.socket = null
    if (socket) {
      detach(socket)
      if (socket.readyState <= OPEN) socket.close(1000, 'Bye')
    }
    this.listeners.clear()
  }

  // -------------------------------------------------------------------------------------------
  // Socket lifecycle

  private openSocket(): void {
    this.pacer.reset()
    this.closingByClient = false
    this.openedAt = 0
    let socket: WebSocketLike
    try {
      socket = new this.options.WebSocket(this.options.url, SUBPROTOCOL)
    } catch (error) {
      // The constructor throws for a malformed URL or one the page's CSP forbids.
      this.setState('connecting', `Opening ${this.options.url}`)
      this.finishClose(1006, `The browser refused to open it: ${(error as Error).message}`, false, 'client')
      return
    }
    this.socket = socket
    this.setState('connecting', `Opening ${this.options.url}`)
    // A handshake into a black hole can hang for minutes before the browser gives up.
    this.lastFrameAt = this.clock.now()
    this.stopHeartbeat()
    this.armDeadTimer(this.options.deadAfterMs)
    socket.onopen = () => this.onOpen(socket)
    socket.onmessage = (event) => this.onMessage(socket, event.data)
    socket.onclose = (event) => this.onClose(socket, event.code, event.reason, event.wasClean)
    // The close event always follows an error event and carries the facts; nothing to add here.
    socket.onerror = () => undefined
  }

  private onOpen(socket: WebSocketLike): void {
    if (socket !== this.socket) return
    const now = this.clock.now()
    this.openedAt = now
    this.lastFrameAt = now
    this.emit({
      type: 'handshake',
      facts: {
        url: this.options.url,
        protocol: socket.protocol,
        extensions: socket.extensions,
        openedAt: now
      }
    })
    this.setState('authenticating', 'Socket open; sending hello.')
    const resume = this.resumePoints()
    const hello: ClientMessage = {
      type: 'hello',
      nick: this.options.nick,
      ...(this.options.password ? { password: this.options.password } : {}),
      ...(this.session ? { session: this.session } : {}),
      ...(Object.keys(resume).length ? { resume } : {})
    }
    this.transmit(JSON.stringify(hello))
    this.startHeartbeat()
  }

  private onClose(socket: WebSocketLike, code: number, reason: string, wasClean: boolean): void {
    if (socket !== this.socket) return
    detach(socket)
    this.socket = null
    this.stopHeartbeat()
    this.finishClose(
      code,
      reason,
      wasClean,
      this.closingByClient ? 'client' : code === 1006 ? 'network' : 'server'
    )
  }

  /** The dead-server path: TCP may take minutes to notice, so the engine gives up on the socket itself. */
  private abandonSocket(note: string): void {
    const socket = this.socket
    if (!socket) return
    detach(socket)
    this.socket = null
    this.stopHeartbeat()
    try {
      socket.close(4000, 'No reply to ping')
    } catch {
      // A socket that is still CONNECTING cannot take a code; it is being abandoned either way.
    }
    this.finishClose(1006, note, false, 'network')
  }

  private finishClose(code: number, reason: string, wasClean: boolean, by: CloseRow['by']): void {
    const now = this.clock.now()
    const connectedMs = this.openedAt ? now - this.openedAt : 0
    const info = describeCloseCode(code)
    const row: CloseRow = {
      at: now,
      code,
      reason,
      wasClean,
      by,
      connectedMs,
      name: info.name,
      meaning: info.meaning,
      retry: info.retry
    }
    this.emit({ type: 'close', row })
    this.pacer.reset()
    // Anything sent on this socket without an echo goes out again unless the replay shows it arrived.
    for (const item of this.outbox.inFlight()) this.outbox.markUnsent(item.cid)
    this.barrierT = undefined
    this.gapFill.clear()
    if (this.disposed) return
    if (this.stopAfterClose || by === 'client') {
      this.stop({ close: row, reason: 'stop' })
      return
    }
    if (!this.everWelcomed) {
      this.stop({ close: row, reason: 'first-connect' })
      return
    }
    const decision = this.policy.next(code, this.welcomedFor(now))
    if (!decision.retry) {
      this.stop({ close: row, reason: decision.reason })
      return
    }
    if (this.options.network && !this.options.network.online()) {
      this.setState('offline', 'The system reports no network; waiting for it to come back.')
      return
    }
    const dueAt = now + decision.delayMs
    this.emit({
      type: 'reconnect',
      attempt: { at: now, attempt: decision.attempt, delayMs: decision.delayMs, dueAt, afterCode: code }
    })
    this.setState('reconnecting', `Attempt ${decision.attempt} in ${decision.delayMs} ms (after ${code}).`)
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined
      this.openSocket()
    }, decision.delayMs)
  }

  private welcomedFor(now: number): number {
    return this.welcomedAt ? now - this.welcomedAt : 0
  }

  private stop(info: StopInfo): void {
    this.setState(info.reason === 'stop' ? 'idle' : 'closed', `${info.close.code} ${info.close.name}`)
    this.emit({ type: 'stopped', info })
  }

  private onNetworkChange(online: boolean): void {
    if (!online && this.currentState === 'reconnecting') {
      this.clearTimer('reconnectTimer')
      this.setState('offline', 'The system reports no network; waiting for it to come back.')
    } else if (online && this.currentState === 'offline') {
      this.policy.reset()
      this.openSocket()
    }
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  /** Every outgoing frame goes through the pacer, so this client never trips the server's 4429. */
  private transmit(data: string): void {
    if (this.socket) this.pacer.send(data)
  }

  private writeNow(data: string): void {
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return
    socket.send(data)
    this.recordFrame('out', data, frameType(data))
    this.emit({ type: 'buffered', bytes: socket.bufferedAmount })
  }

  private recordFrame(dir: 'in' | 'out', data: string, type: string): void {
    this.frameSeq += 1
    this.frames.push({ seq: this.frameSeq, at: this.clock.now(), dir, size: utf8Length(data), type, data })
    this.emit({ type: 'frames' })
  }

  private onMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.socket) return
    this.lastFrameAt = this.clock.now()
    if (typeof data !== 'string') {
      this.recordFrame('in', '[binary frame]', 'binary')
      return
    }
    const parsed = parseServerMessage(data)
    if (!parsed.ok) {
      this.recordFrame('in', data, 'invalid')
      this.emit({
        type: 'protocol-error',
        message: `The server sent a frame this client does not understand: ${parsed.message}`
      })
      return
    }
    const message = parsed.value
    this.recordFrame('in', data, message.type)
    this.handle(message)
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.session = message.session
        this.me = message.user
        this.everWelcomed = true
        this.welcomeResumed = message.resumed === true
        this.welcomedAt = this.clock.now()
        this.roomsJoinedSinceWelcome = new Set()
        this.pacer.setLimits(
          message.server.limits.rateBurst ?? DEFAULT_LIMITS.rateBurst,
          message.server.limits.ratePerSecond ?? DEFAULT_LIMITS.ratePerSecond
        )
        this.setState('open', this.welcomeResumed ? 'Welcome: session resumed.' : 'Welcome: new session.')
        this.emit({
          type: 'welcome',
          user: message.user,
          session: message.session,
          resumed: this.welcomeResumed
        })
        this.emit({ type: 'server', message })
        // The server answers in order, so by this pong every `joined` replay for the session has
        // arrived: only then is it known which queued messages already got through.
        this.barrierT = this.clock.now()
        this.transmit(JSON.stringify({ type: 'ping', t: this.barrierT } satisfies ClientMessage))
        return
      case 'joined': {
        const previous = this.lastSeen.get(message.room)
        this.rooms.add(message.room)
        this.roomsJoinedSinceWelcome.add(message.room)
        this.noteMessages(message.room, message.history)
        this.emit({ type: 'server', message })
        this.maybeFillGap(message.room, previous, message.history, message.hasMore === true)
        return
      }
      case 'history': {
        this.noteMessages(message.room, message.messages)
        this.emit({ type: 'server', message })
        const gap = this.gapFill.get(message.room)
        if (gap) this.continueGapFill(message.room, gap, message.messages, message.hasMore === true)
        return
      }
      case 'left':
        this.rooms.delete(message.room)
        this.lastSeen.delete(message.room)
        this.emit({ type: 'server', message })
        return
      case 'message':
        this.noteId(message.room, message.id)
        if (message.cid && message.from.id === this.me?.id) this.acknowledge(message.cid)
        this.emit({ type: 'server', message })
        return
      case 'dm':
        this.noteId(DM_RESUME_KEY, message.id)
        if (message.cid && message.from.id === this.me?.id) this.acknowledge(message.cid)
        this.emit({ type: 'server', message })
        return
      case 'pong': {
        const now = this.clock.now()
        this.emit({ type: 'rtt', sample: { at: now, ms: Math.max(0, now - message.t) } })
        if (this.barrierT !== undefined && message.t === this.barrierT) {
          this.barrierT = undefined
          this.afterReplay()
        }
        return
      }
      case 'error':
        if (message.ref && this.outbox.get(message.ref)) {
          // The server refused this message (too long, not in room…): retrying as-is cannot help.
          this.outbox.fail(message.ref)
          this.emitOutbox()
        }
        this.emit({ type: 'server', message })
        return
      default:
        this.emit({ type: 'server', message })
    }
  }

  private afterReplay(): void {
    if (!this.welcomeResumed) {
      for (const room of this.rooms) {
        if (!this.roomsJoinedSinceWelcome.has(room)) this.send({ type: 'join', room })
      }
    }
    this.flushOutbox()
    this.emitOutbox()
  }

  private noteMessages(room: string, messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      this.noteId(room, message.id)
      if (message.cid && message.from.id === this.me?.id) this.acknowledge(message.cid)
    }
  }

  private noteId(key: string, id: number): void {
    const seen = this.lastSeen.get(key)
    if (seen === undefined || id > seen) this.lastSeen.set(key, id)
  }

  /**
   * After a reconnect the server could not resume (it restarted and lost sessions), a fresh join
   * brings only the newest page; a resumed one brings what the server's reply budget let through
   * (newest kept, `hasMore` when cut, by count or by bytes) — or, in a room past the budget of
   * that hello, nothing but `hasMore`. Either way: page back until the history meets the last
   * message seen.
   */
  private maybeFillGap(
    room: string,
    previous: number | undefined,
    history: readonly ChatMessage[],
    hasMore: boolean
  ): void {
    if (previous === undefined || !hasMore) return
    if (history.length === 0) {
      this.gapFill.set(room, { until: previous, pages: 1 })
      this.send({ type: 'history', room, limit: DEFAULT_LIMITS.historyPageMax })
      return
    }
    this.continueGapFill(room, { until: previous, pages: 0 }, history, hasMore)
  }

  private continueGapFill(
    room: string,
    gap: { until: number; pages: number },
    page: readonly ChatMessage[],
    hasMore: boolean
  ): void {
    const oldest = page[0]
    const reached = !oldest || oldest.id <= gap.until + 1 || page.some((m) => m.id <= gap.until)
    if (reached || !hasMore || gap.pages >= MAX_GAP_PAGES) {
      this.gapFill.delete(room)
      return
    }
    this.gapFill.set(room, { until: gap.until, pages: gap.pages + 1 })
    this.send({ type: 'history', room, before: oldest.id, limit: DEFAULT_LIMITS.historyPageMax })
  }

  // -------------------------------------------------------------------------------------------
  // Outbox

  private flushOutbox(): void {
    if (this.currentState !== 'open' || this.barrierT !== undefined) return
    const now = this.clock.now()
    for (const item of this.outbox.unsent()) {
      const message: ClientMessage =
        item.target.kind === 'room'
          ? { type: 'send', room: item.target.room, text: item.text, cid: item.cid }
          : { type: 'dm', to: item.target.to, text: item.text, cid: item.cid }
      if (!this.send(message)) return
      this.outbox.markSent(item.cid, now)
    }
  }

  private acknowledge(cid: string): void {
    if (this.outbox.acknowledge(cid)) this.emitOutbox()
  }

  private scheduleAckCheck(): void {
    this.clearTimer('ackTimer')
    const due = this.outbox.nextExpiry(this.options.ackTimeoutMs)
    if (due === undefined) return
    this.ackTimer = this.clock.setTimeout(
      () => {
        this.ackTimer = undefined
        if (this.outbox.expire(this.clock.now(), this.options.ackTimeoutMs)) this.emitOutbox()
        this.scheduleAckCheck()
      },
      Math.max(0, due - this.clock.now())
    )
  }

  private emitOutbox(): void {
    this.emit({ type: 'outbox', items: this.outbox.list() })
  }

  // -------------------------------------------------------------------------------------------
  // Heartbeat

  private startHeartbeat(): void {
    this.stopHeartbeat()
    const tick = () => {
      this.pingTimer = this.clock.setTimeout(tick, this.options.pingIntervalMs)
      if (this.socket?.readyState === OPEN) {
        this.transmit(JSON.stringify({ type: 'ping', t: this.clock.now() } satisfies ClientMessage))
      }
    }
    this.pingTimer = this.clock.setTimeout(tick, this.options.pingIntervalMs)
    this.armDeadTimer(this.options.deadAfterMs)
  }

  /** One timer that wakes when the silence would reach the limit, instead of a reset per frame. */
  private armDeadTimer(ms: number): void {
    this.deadTimer = this.clock.setTimeout(() => {
      this.deadTimer = undefined
      const silentFor = this.clock.now() - this.lastFrameAt
      if (silentFor >= this.options.deadAfterMs) {
        const seconds = Math.round(silentFor / 1000)
        this.abandonSocket(
          this.openedAt
            ? `No frame from the server for ${seconds} s (pings unanswered).`
            : `The handshake got no answer within ${seconds} s.`
        )
      } else {
        this.armDeadTimer(this.options.deadAfterMs - silentFor)
      }
    }, ms)
  }

  private stopHeartbeat(): void {
    this.clearTimer('pingTimer')
    this.clearTimer('deadTimer')
  }

  // -------------------------------------------------------------------------------------------

  private clearTimer(name: 'pingTimer' | 'deadTimer' | 'reconnectTimer' | 'ackTimer'): void {
    const handle = this[name]
    if (handle !== undefined) this.clock.clearTimeout(handle)
    this[name] = undefined
  }

  private setState(state: EngineState, note?: string): void {
    this.currentState = state
    this.emit({
      type: 'state',
      entry: {
        at: this.clock.now(),
        state,
        readyState: this.socket?.readyState ?? null,
        ...(note ? { note } : {})
      }
    })
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null
  socket.onmessage = null
  socket.onclose = null
  socket.onerror = null
}

/** The `type` of an outgoing frame for the frame log, without a full parse. */
function frameType(data: string): string {
  const match = /"type"\s*:\s*"([^"]{1,40})"/.exec(data)
  return match?.[1] ?? 'raw'
}
