/**
 * The sockets this server holds: the connection caps (in total and per address) the handshake
 * gate asks about, and accept(), which turns an upgraded ws into the record the hub, the
 * connection log and the heartbeat share, and counts it until it closes.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { RawData, WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes'
import type { Limits } from '../../shared/protocol'
import type { ConnectionLog } from './connection-log'
import type { HeartbeatSocket } from './heartbeat'
import type { ChatHub } from './hub/chat-hub'
import { StallTolerantBucket, type LoopStallMonitor } from './loop-stall'
import type { ConnectionInfo } from './server-types'
import type { TokenBucket } from './token-bucket'
import type { ClientView } from './trusted-proxy'
import type { GateDecision } from './upgrade-gate'

const RETRY_AFTER_FULL_SECONDS = '10'

export type Socket = HeartbeatSocket

export interface SocketAdmissionOptions {
  limits: Limits
  maxConnections: number
  maxConnectionsPerIp: number
  logger: Logger
  log: ConnectionLog
  /** Bytes a fault holds back from this socket (fault-injection.ts); 0 without one. */
  heldBytes(ws: WebSocket): number
  /** A socket was accepted or closed (heap-reclaim.ts counts them). */
  churned?(): void
  /** A frame arrived on any socket (heap-reclaim.ts counts them). */
  received?(): void
}

export interface SocketAdmission {
  readonly sockets: ReadonlySet<Socket>
  /** Null when the server has room for one more from `ip`; otherwise the 503 to answer. */
  capacityRefusal(ip: string): GateDecision | null
  accept(ws: WebSocket, client: ClientView, peer: string, hub: ChatHub, loopStalls: LoopStallMonitor): void
}

/** The ws socket with a slot for its record, so the shared listeners find it through `this`. */
export interface AdmittedWebSocket extends WebSocket {
  admitted?: AdmittedSocket
}

function admittedOf(ws: WebSocket): AdmittedSocket {
  return (ws as AdmittedWebSocket).admitted!
}

function onPong(this: WebSocket): void {
  admittedOf(this).isAlive = true
}

/**
 * A socket's record: a class, not an object literal with closures, because every connection has
 * one; its methods live on the prototype.
 */
class AdmittedSocket implements Socket {
  readonly ws: WebSocket
  readonly info: ConnectionInfo
  readonly bucket: TokenBucket
  readonly hub: ChatHub
  session: Socket['session'] = undefined
  closing = false
  sentClose: Socket['sentClose'] = undefined
  helloTimer: NodeJS.Timeout | undefined = undefined
  isAlive = true
  heard = false
  private readonly heldBytes: (ws: WebSocket) => number

  constructor(
    ws: WebSocket,
    info: ConnectionInfo,
    bucket: TokenBucket,
    hub: ChatHub,
    heldBytes: (ws: WebSocket) => number
  ) {
    this.ws = ws
    this.info = info
    this.bucket = bucket
    this.hub = hub
    this.heldBytes = heldBytes
  }

  /** Frames a pauseReads fault holds count as unsent, as a stalled reader's would. */
  bufferedAmount(): number {
    return this.ws.bufferedAmount + this.heldBytes(this.ws)
  }
}

/** The record's account of the close, for the connections view and the log. */
function markClosed(socket: AdmittedSocket, code: number, reasonBuffer: Buffer): void {
  const { info } = socket
  const internal = socket.ws as WebSocket & { _closeFrameReceived?: boolean; _closeFrameSent?: boolean }
  info.state = 'closed'
  info.closedAt = Date.now()
  info.durationMs = info.closedAt - info.openedAt
  // When the server closed it, its code is the cause, whatever (if anything) the peer echoed.
  info.code = socket.sentClose?.code ?? code
  info.reason = socket.sentClose?.reason ?? reasonBuffer.toString('utf8')
  info.wasClean = Boolean(internal._closeFrameReceived && internal._closeFrameSent)
}

export function createSocketAdmission(options: SocketAdmissionOptions): SocketAdmission {
  const { limits, logger, log } = options
  const sockets = new Set<Socket>()
  const perIp = new Map<string, number>()
  let nextId = 0
  const idPrefix = randomBytes(3).toString('hex')
  const heldBytes = (ws: WebSocket): number => options.heldBytes(ws)

  function capacityRefusal(ip: string): GateDecision | null {
    if (sockets.size >= options.maxConnections) {
      return {
        ok: false,
        status: 503,
        message: `The server is full (${options.maxConnections} connections).`,
        headers: { 'Retry-After': RETRY_AFTER_FULL_SECONDS }
      }
    }
    if ((perIp.get(ip) ?? 0) >= options.maxConnectionsPerIp) {
      return {
        ok: false,
        status: 503,
        message: `Too many connections from ${ip} (${options.maxConnectionsPerIp}).`,
        headers: { 'Retry-After': RETRY_AFTER_FULL_SECONDS }
      }
    }
    return null
  }

  function accept(
    ws: WebSocket,
    client: ClientView,
    peer: string,
    chatHub: ChatHub,
    loopStalls: LoopStallMonitor
  ): void {
    const ip = client.address
    const info: ConnectionInfo = {
      id: `${idPrefix}-${(++nextId).toString(36)}`,
      remoteAddress: ip,
      // Declared now, set at hello: a property added later moves an object's fields out of line.
      nick: undefined,
      userId: undefined,
      openedAt: Date.now(),
      state: 'open',
      messagesIn: 0,
      messagesOut: 0,
      bufferedAmount: 0
    }
    const bucket = new StallTolerantBucket(limits.rateBurst, limits.ratePerSecond, loopStalls)
    const socket = new AdmittedSocket(ws, info, bucket, chatHub, heldBytes)
    ;(ws as AdmittedWebSocket).admitted = socket
    sockets.add(socket)
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1)
    logger.info(
      {
        conn: info.id,
        ip,
        // The proxy it came through, when the address came from its forwarding headers.
        ...(client.forwarded !== undefined ? { via: peer } : {}),
        protocol: ws.protocol || undefined
      },
      'connection opened'
    )
    log.add(socket)
    ws.on('message', onMessage)
    ws.on('pong', onPong)
    ws.on('error', onError)
    ws.on('close', onClose)
    chatHub.opened(socket)
    options.churned?.()
  }

  // One listener of each kind for every socket, finding its record through `this`: closures per
  // socket cost about 350 bytes per idle connection (docs/benchmarks.md, "Idle memory").
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const socket = admittedOf(this)
    socket.heard = true
    options.received?.()
    if (isBinary) {
      socket.hub.close(socket, CloseCode.UnsupportedData, 'Parley v1 accepts text frames only.')
      return
    }
    socket.hub.received(socket, (data as Buffer).toString('utf8'))
  }

  function onError(this: WebSocket, error: Error): void {
    // ws closes the socket itself (1009 too big, 1007 bad UTF-8, 1002 bad framing) right after this.
    logger.debug({ conn: admittedOf(this).info.id, err: error.message }, 'socket error')
  }

  function onClose(this: WebSocket, code: number, reasonBuffer: Buffer): void {
    const socket = admittedOf(this)
    const { info } = socket
    const ip = info.remoteAddress
    socket.hub.detach(socket)
    sockets.delete(socket)
    options.churned?.()
    const left = (perIp.get(ip) ?? 1) - 1
    if (left === 0) perIp.delete(ip)
    else perIp.set(ip, left)
    markClosed(socket, code, reasonBuffer)
    logger.info(
      {
        conn: info.id,
        ip,
        nick: info.nick,
        code: info.code,
        reason: info.reason,
        // What the peer's side reported (an echo, or 1006 when it was cut off), when that differs.
        ...(code !== info.code ? { peerCode: code } : {}),
        durationMs: info.durationMs
      },
      'connection closed'
    )
    log.closed(socket)
  }

  return { sockets, capacityRefusal, accept }
}
