/**
 * A WebSocket peer at the TCP level, for abuse tests: handshakes with any headers (or trickled
 * byte by byte), frames built by hand (tiny fragments, no reads), and a reader for the server's
 * frames. Real sockets on loopback; nothing is mocked.
 */
import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'

export interface HttpHead {
  status: number
  headers: Record<string, string>
  /** Bytes after the head (the first WebSocket frames, after a 101). */
  rest: Buffer
}

export function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket))
    socket.once('error', reject)
  })
}

export function upgradeRequest(headers: Record<string, string | undefined>, path = '/ws'): string {
  const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1']
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

export const VALID_UPGRADE = {
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
  'Sec-WebSocket-Version': '13'
}

/** Resolves with the HTTP response head, or `closed` when the server hung up without one. */
export function readHead(socket: Socket, timeoutMs = 5000): Promise<HttpHead | 'closed'> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0)
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no HTTP response within ${timeoutMs} ms`))),
      timeoutMs
    )
    const finish = (settle: () => void): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onClose)
      settle()
    }
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk])
      const end = buffered.indexOf('\r\n\r\n')
      if (end < 0) return
      const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      finish(() =>
        resolve({ status: Number(statusLine!.split(' ')[1]), headers, rest: buffered.subarray(end + 4) })
      )
    }
    const onClose = (): void => finish(() => resolve('closed'))
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.once('error', onClose)
  })
}

export const Opcode = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const

/** A client frame (masked, as RFC 6455 requires of clients). */
export function clientFrame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload
  const length = data.length
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8
  const frame = Buffer.alloc(2 + extra + 4 + length)
  frame[0] = (fin ? 0x80 : 0) | opcode
  if (extra === 0) frame[1] = 0x80 | length
  else if (extra === 2) {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 0x80 | 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  const mask = randomBytes(4)
  mask.copy(frame, 2 + extra)
  for (let i = 0; i < length; i++) frame[2 + extra + 4 + i] = data[i]! ^ mask[i & 3]!
  return frame
}

export interface ServerFrame {
  opcode: number
  payload: Buffer
}

/** Parses the server's (unmasked) frames from a byte stream. */
export function createFrameReader(onFrame: (frame: ServerFrame) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0)
  return (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
    for (;;) {
      if (buffered.length < 2) return
      let length = buffered[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffered.length < 4) return
        length = buffered.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffered.length < 10) return
        length = Number(buffered.readBigUInt64BE(2))
        offset = 10
      }
      if (buffered.length < offset + length) return
      onFrame({ opcode: buffered[0]! & 0x0f, payload: buffered.subarray(offset, offset + length) })
      buffered = buffered.subarray(offset + length)
    }
  }
}

/** Completes a handshake on a raw socket; resolves with the socket and its frame stream. */
export async function rawWebSocket(
  port: number
): Promise<{ socket: Socket; frames: ServerFrame[]; closed: Promise<void> }> {
  const socket = await openSocket(port)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => {})
  socket.write(upgradeRequest({ ...VALID_UPGRADE, 'Sec-WebSocket-Key': randomBytes(16).toString('base64') }))
  const head = await readHead(socket)
  if (head === 'closed' || head.status !== 101)
    throw new Error(`handshake failed: ${head === 'closed' ? 'closed' : head.status}`)
  const frames: ServerFrame[] = []
  const read = createFrameReader((frame) => frames.push(frame))
  if (head.rest.length) read(head.rest)
  socket.on('data', read)
  return { socket, frames, closed }
}

export function closeCodeOf(frames: ServerFrame[]): number | undefined {
  const close = frames.find((f) => f.opcode === Opcode.Close)
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined
}
