import type { FileInfo } from '../../../shared/file-info'
import { checkClientCloseArgs } from '../../../shared/close-codes'
import {
  DEFAULT_LIMITS,
  parseServerMessage,
  type ChatMessage,
  type ClientMessage,
  type ServerMessage,
  type ServerMessageOf,
  type User
} from '../../../shared/protocol'
import { systemClock, type Clock } from './clock'
import type { EngineEvent, EngineListener, EngineState, FrameRecord } from './engine-events'
import { Heartbeat } from './heartbeat'
import type { OutboxItem, OutboxTarget } from './outbox'
import { OutboxDelivery } from './outbox-delivery'
import type { ReconnectPolicyOptions } from './reconnect-policy'
import { ResumeTracker } from './resume-tracker'
import { RingBuffer } from './ring-buffer'
import { SendPacer } from './send-pacer'
import { SocketLifecycle } from './socket-lifecycle'
import type { NetworkStatus, WebSocketFactory, WebSocketLike } from './socket-types'
import { utf8Length } from './utf8-length'

export type { NetworkStatus, WebSocketFactory, WebSocketLike } from './socket-types'

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

/**
 * One chat connection and everything that keeps it alive, composed from one unit per concern
 * (see README.md beside this file): the socket lifecycle and reconnects, the heartbeat, resume and
 * gap fill, the outbox, and the pacer every outgoing frame goes through. What is left here is the
 * hello and the routing of each server message to the units that care. No React here: the store
 * subscribes to its events from outside the component tree.
 */
export class ConnectionEngine {
  readonly frames: RingBuffer<FrameRecord>
  private readonly nick: string
  private readonly password: string | undefined
  private readonly clock: Clock
  private readonly listeners = new Set<EngineListener>()
  private readonly lifecycle: SocketLifecycle
  private readonly heartbeat: Heartbeat
  private readonly resume: ResumeTracker
  private readonly delivery: OutboxDelivery
  private readonly pacer: SendPacer
  private session: string | undefined
  private me: User | undefined
  private frameSeq = 0

  constructor(options: EngineOptions) {
    const WebSocketCtor =
      options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory | undefined)
    if (!WebSocketCtor) throw new TypeError('ConnectionEngine: no WebSocket implementation available')
    this.nick = options.nick
    this.password = options.password
    this.clock = options.clock ?? systemClock
    this.session = options.session
    this.frames = new RingBuffer(options.frameCapacity ?? 5000)
    this.heartbeat = new Heartbeat(
      this.clock,
      { pingIntervalMs: options.pingIntervalMs ?? 10_000, deadAfterMs: options.deadAfterMs ?? 25_000 },
      {
        ping: (frame) => {
          if (this.lifecycle.isOpen) this.transmit(frame)
        },
        dead: (silentFor) => this.onSilence(silentFor)
      }
    )
    this.pacer = new SendPacer(
      this.clock,
      (data) => this.writeNow(data),
      DEFAULT_LIMITS.rateBurst,
      DEFAULT_LIMITS.ratePerSecond
    )
    this.pacer.setLimits(DEFAULT_LIMITS.rateBurst, DEFAULT_LIMITS.ratePerSecond)
    this.resume = new ResumeTracker((message) => this.send(message))
    this.delivery = new OutboxDelivery(this.clock, options.ackTimeoutMs ?? 30_000, options.cidPrefix, {
      canSend: () => this.lifecycle.state === 'open' && !this.resume.replaying,
      send: (message) => this.send(message),
      changed: (items) => this.emit({ type: 'outbox', items })
    })
    this.lifecycle = new SocketLifecycle(
      {
        url: options.url,
        WebSocket: WebSocketCtor,
        clock: this.clock,
        network: options.network,
        reconnect: options.reconnect
      },
      {
        opening: () => {
          this.pacer.reset()
          this.heartbeat.watchHandshake()
        },
        opened: (socket) => this.onOpen(socket),
        frame: (data) => this.onFrame(data),
        closed: () => {
          this.heartbeat.stop()
          this.pacer.reset()
          this.delivery.connectionLost()
          this.resume.connectionLost()
        },
        emit: (event) => this.emit(event)
      }
    )
  }

  get state(): EngineState {
    return this.lifecycle.state
  }

  get user(): User | undefined {
    return this.me
  }

  get url(): string {
    return this.lifecycle.url
  }

  /** A copy of the resume map the next hello will carry. */
  resumePoints(): Record<string, number> {
    return this.resume.points()
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Opens the connection, or retries now if a reconnect is scheduled. */
  connect(): void {
    this.lifecycle.connect()
  }

  /** Closes on purpose (1000) and stays closed. */
  disconnect(reason = 'Bye'): void {
    this.lifecycle.disconnect(reason)
  }

  /**
   * The inspector's "Close with code": the browser only allows 1000 or 3000–4999 and a reason of
   * at most 123 UTF-8 bytes. Returns the rule that was broken, or null after closing.
   */
  closeWithCode(code: number, reason: string): string | null {
    const problem = checkClientCloseArgs(code, reason)
    if (problem) return problem
    return this.lifecycle.closeWith(code, reason) ? null : 'There is no open connection to close.'
  }

  /** Sends a protocol message now; false when there is no open, welcomed connection. */
  send(message: ClientMessage): boolean {
    if (!this.lifecycle.isOpen || this.lifecycle.state !== 'open') return false
    this.transmit(message)
    return true
  }

  /** The inspector's raw send box: any text, even invalid JSON, to see what the server says. */
  sendRaw(text: string): boolean {
    if (!this.lifecycle.isOpen) return false
    this.pacer.send(text)
    return true
  }

  /** Queues a chat or direct message; it goes out now if connected, else on reconnect. */
  post(target: OutboxTarget, text: string, files: FileInfo[] = []): OutboxItem {
    return this.delivery.post(target, text, files)
  }

  retry(cid: string): void {
    this.delivery.retry(cid)
  }

  discard(cid: string): void {
    this.delivery.discard(cid)
  }

  /** Stops everything and forgets listeners; the engine cannot be used again. */
  dispose(): void {
    this.lifecycle.dispose()
    this.delivery.dispose()
    this.heartbeat.stop()
    this.pacer.cancel()
    this.listeners.clear()
  }

  private onOpen(socket: WebSocketLike): void {
    this.emit({
      type: 'handshake',
      facts: {
        url: this.lifecycle.url,
        protocol: socket.protocol,
        extensions: socket.extensions,
        openedAt: this.lifecycle.openSince
      }
    })
    this.lifecycle.setState('authenticating', 'Socket open; sending hello.')
    const resume = this.resume.points()
    const changes = this.resume.changePoints()
    this.transmit({
      type: 'hello',
      nick: this.nick,
      ...(this.password ? { password: this.password } : {}),
      ...(this.session ? { session: this.session } : {}),
      ...(Object.keys(resume).length ? { resume } : {}),
      ...(Object.keys(changes).length ? { changes } : {})
    })
    this.heartbeat.start()
  }

  private onSilence(silentForMs: number): void {
    const seconds = Math.round(silentForMs / 1000)
    this.lifecycle.abandon(
      this.lifecycle.openSince
        ? `No frame from the server for ${seconds} s (pings unanswered).`
        : `The handshake got no answer within ${seconds} s.`
    )
  }

  /** Every outgoing frame goes through the pacer, so this client never trips the server's 4429. */
  private transmit(message: ClientMessage): void {
    if (this.lifecycle.hasSocket) this.pacer.send(JSON.stringify(message))
  }

  private writeNow(data: string): void {
    const socket = this.lifecycle.write(data)
    if (!socket) return
    this.recordFrame('out', data, frameType(data))
    this.emit({ type: 'buffered', bytes: socket.bufferedAmount })
  }

  private recordFrame(dir: 'in' | 'out', data: string, type: string): void {
    this.frameSeq += 1
    this.frames.push({ seq: this.frameSeq, at: this.clock.now(), dir, size: utf8Length(data), type, data })
    this.emit({ type: 'frames' })
  }

  private onFrame(data: unknown): void {
    this.heartbeat.heard()
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
    this.route(message)
    // A pong is the engine's own business (RTT, the replay barrier); the store has nothing to do.
    if (message.type === 'pong') return
    this.emit({ type: 'server', message })
    if (message.type === 'welcome') {
      this.transmit(this.resume.welcomed(message.resumed === true, this.clock.now()))
    }
  }

  /** The units that care about a server message see it before the store does. */
  private route(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.onWelcome(message)
      case 'joined':
        this.resume.joined(message)
        return this.acknowledgeOwn(message.history)
      case 'history':
        this.resume.history(message)
        return this.acknowledgeOwn(message.messages)
      case 'left':
        return this.resume.left(message.room)
      case 'message':
        this.resume.noteRoomMessage(message.room, message.id)
        return this.acknowledgeOwn([message])
      case 'dm':
        this.resume.noteDirectMessage(message.id)
        return this.acknowledgeOwn([message])
      case 'edited':
      case 'deleted':
      case 'reactions':
        return this.resume.noteChange(message.room, message.rev)
      case 'pong': {
        const now = this.clock.now()
        this.emit({ type: 'rtt', sample: { at: now, ms: Math.max(0, now - message.t) } })
        if (this.resume.pong(message.t)) this.delivery.replayDone()
        return
      }
      case 'error':
        if (message.ref) this.delivery.refused(message.ref)
        return
    }
  }

  private onWelcome(message: ServerMessageOf<'welcome'>): void {
    this.session = message.session
    this.me = message.user
    this.lifecycle.welcomed()
    const resumed = message.resumed === true
    this.pacer.setLimits(
      message.server.limits.rateBurst ?? DEFAULT_LIMITS.rateBurst,
      message.server.limits.ratePerSecond ?? DEFAULT_LIMITS.ratePerSecond
    )
    this.lifecycle.setState('open', resumed ? 'Welcome: session resumed.' : 'Welcome: new session.')
    this.emit({ type: 'welcome', user: message.user, session: message.session, resumed })
  }

  private acknowledgeOwn(messages: readonly Pick<ChatMessage, 'cid' | 'from'>[]): void {
    for (const message of messages) {
      if (message.cid && message.from.id === this.me?.id) this.delivery.acknowledge(message.cid)
    }
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}

/** The `type` of an outgoing frame for the frame log, without a full parse. */
function frameType(data: string): string {
  const match = /"type"\s*:\s*"([^"]{1,40})"/.exec(data)
  return match?.[1] ?? 'raw'
}
