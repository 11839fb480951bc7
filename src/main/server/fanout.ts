/**
 * Broadcast without per-member work: a message is serialized once, framed once (header +
 * payload in one Buffer), and that same Buffer is written to every member's socket. `ws.send`
 * would re-encode the string and build a new frame for each member.
 *
 * The fast path leans on two ws internals, checked at load and per socket: the static
 * `Sender.frame` framer and the socket/sender fields behind `ws.send`. When either is missing
 * (another ws major) or the sender is mid-operation, it falls back to `ws.send`.
 */
import * as wsModule from 'ws'
import { WebSocket } from 'ws'

interface FrameOptions {
  fin: boolean
  opcode: number
  mask: boolean
  readOnly: boolean
  rsv1: boolean
}
type FrameFn = (data: Buffer, options: FrameOptions) => Buffer[]

interface WsInternals {
  _socket?: {
    write(chunk: Buffer): boolean
    cork(): void
    uncork(): void
    writableLength: number
    writableCorked: number
    destroyed: boolean
  }
  _sender?: { _state?: number; _queue?: unknown[] }
  _extensions?: Record<string, unknown>
}

const TEXT_OPCODE = 1
const PERMESSAGE_DEFLATE = 'permessage-deflate'
const senderFrame = (wsModule as unknown as { Sender?: { frame?: FrameFn } }).Sender?.frame
const framer: FrameFn | undefined = typeof senderFrame === 'function' ? senderFrame : undefined

/** One outbound text message, ready to be written to any number of sockets. */
export interface OutboundFrame {
  readonly text: string
  /** The complete unmasked WebSocket frame, or undefined when the fast path is unavailable. */
  readonly bytes: Buffer | undefined
}

export function createFrame(message: unknown): OutboundFrame {
  const text = JSON.stringify(message)
  if (!framer) return { text, bytes: undefined }
  const parts = framer(Buffer.from(text), {
    fin: true,
    opcode: TEXT_OPCODE,
    mask: false,
    readOnly: false,
    rsv1: false
  })
  return { text, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts) }
}

/** True when writing raw frame bytes to this socket is equivalent to ws.send. */
function canWriteRaw(ws: WebSocket & WsInternals): boolean {
  const sender = ws._sender
  const socket = ws._socket
  return (
    socket !== undefined &&
    !socket.destroyed &&
    sender !== undefined &&
    // Sender state 0 = DEFAULT: nothing being compressed or read from a Blob ahead of us.
    sender._state === 0 &&
    sender._queue !== undefined &&
    sender._queue.length === 0 &&
    // permessage-deflate would need each frame compressed (and RSV1 set): the server disables it.
    ws._extensions?.[PERMESSAGE_DEFLATE] === undefined
  )
}

type RawSocket = NonNullable<WsInternals['_socket']>

// Sockets written to during this turn of the event loop stay corked until it ends, so every
// frame a member gets in one turn (a busy room, a burst of acks, a join storm's presence)
// leaves in one write(2) instead of one each: the syscall, not the framing, was most of a
// delivery's cost (docs/benchmarks.md has the profile and the A/B).
// The list is an array, and "corked already" is the socket's own cork count: a Set's hashing of
// each member's socket was a fifth of a delivery's JS at light load (docs/benchmarks.md). ws
// corks only inside its own synchronous sends, so a count above zero here is ours.
let corked: RawSocket[] = []
/**
 * A corked socket is flushed early once this much waits in it, so `bufferedAmount` (which the
 * slow-consumer cap reads) counts what the kernel would not take, not what we held back.
 */
const FLUSH_AT_BYTES = 16 * 1024

function uncorkAll(): void {
  const sockets = corked
  corked = []
  // A socket flushed early (FLUSH_AT_BYTES) may be listed twice; only a held cork is released.
  for (const socket of sockets) if (socket.writableCorked > 0) socket.uncork()
}

function corkForThisTurn(socket: RawSocket): void {
  if (socket.writableCorked > 0) return
  socket.cork()
  if (corked.push(socket) === 1) setImmediate(uncorkAll)
}

/**
 * Where fault injection (fault-injection.ts) takes a socket's outbound frames to delay or hold
 * them. Empty in normal running, so the hot path pays one size check.
 */
const outboundHooks = new Map<WebSocket, (frame: OutboundFrame) => void>()

/** Routes this socket's frames through `hook` (undefined: straight to the wire again). */
export function setOutboundHook(ws: WebSocket, hook: ((frame: OutboundFrame) => void) | undefined): void {
  if (hook) outboundHooks.set(ws, hook)
  else outboundHooks.delete(ws)
}

/** Writes one frame to one socket. Returns false when the socket is not open. */
export function sendFrame(ws: WebSocket, frame: OutboundFrame): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false
  const hook = outboundHooks.size === 0 ? undefined : outboundHooks.get(ws)
  if (hook) hook(frame)
  else writeFrame(ws, frame)
  return true
}

/** Puts the frame on the wire now (the socket must be open), past any outbound hook. */
export function writeFrame(ws: WebSocket, frame: OutboundFrame): void {
  const internal = ws as WebSocket & WsInternals
  if (frame.bytes !== undefined && canWriteRaw(internal)) {
    const socket = internal._socket!
    corkForThisTurn(socket)
    socket.write(frame.bytes)
    if (socket.writableLength >= FLUSH_AT_BYTES) socket.uncork()
  } else {
    ws.send(frame.text)
  }
}

/** Whether the fast path is available in this ws build (reported in stats and tests). */
export const rawFramingAvailable = framer !== undefined
