/**
 * One load-generator client per server under test, all over the same `ws` client so the three
 * servers meet identical client code. Each adapter speaks its server's wire format: Parley v1,
 * the raw-ws baseline's JSON, or Engine.IO v4 / socket.io v5 packets (spoken directly so the
 * socket.io baseline is not measured through a heavier client).
 *
 * Chat texts carry `~<sentMicros>~<tag>~`: receivers find the marker in the raw frame without
 * parsing JSON, which keeps the generator's cost per delivery low on a machine it shares.
 */
import { WebSocket } from 'ws'

export type ServerKind = 'parley' | 'ws' | 'socketio'

export interface BenchClient {
  readonly kind: ServerKind
  /** Whether the sender gets its own message back (Parley and raw ws do; `socket.to` does not). */
  readonly receivesOwn: boolean
  join(room: string): Promise<void>
  send(room: string, text: string, cid?: string): void
  /** Called with every frame that carries a chat text, after the client has joined. */
  onChat: (frame: Buffer) => void
  closeCode(): number | undefined
  terminate(): void
}

export interface ConnectOptions {
  kind: ServerKind
  port: number
  nick: string
  /** Loopback source address, so a per-address connection cap applies as it would on a LAN. */
  localAddress?: string
  timeoutMs?: number
}

const TILDE = 0x7e

/** Reads `~<micros>~<tag>~` from a raw frame: the send time in µs and the tag's first byte. */
export function readMarker(frame: Buffer): { sentMicros: number; tag: number } | undefined {
  let i = frame.indexOf(TILDE)
  if (i < 0) return undefined
  let value = 0
  for (i++; i < frame.length; i++) {
    const c = frame[i]!
    if (c === TILDE) break
    value = value * 10 + (c - 48)
  }
  return { sentMicros: value, tag: frame[i + 1] ?? 0 }
}

export function nowMicros(): number {
  return Math.round(performance.now() * 1000)
}

function urlFor(kind: ServerKind, port: number): string {
  if (kind === 'parley') return `ws://127.0.0.1:${port}/ws`
  if (kind === 'socketio') return `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`
  return `ws://127.0.0.1:${port}/`
}

export function connectClient(options: ConnectOptions): Promise<BenchClient> {
  const { kind } = options
  const socket = new WebSocket(urlFor(kind, options.port), kind === 'parley' ? ['parley.v1'] : [], {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: options.timeoutMs ?? 10_000,
    localAddress: options.localAddress
  })
  let closeCode: number | undefined
  let live = false
  let pending: { match: (text: string) => boolean; resolve: () => void } | undefined
  let ackId = 0

  const client: BenchClient = {
    kind,
    receivesOwn: kind !== 'socketio',
    onChat: () => {},
    closeCode: () => closeCode,
    terminate: () => socket.terminate(),
    join(room) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`join ${room} timed out`)),
          options.timeoutMs ?? 10_000
        )
        const done = (): void => {
          clearTimeout(timer)
          live = true
          resolve()
        }
        if (kind === 'socketio') {
          const id = ackId++
          pending = { match: (t) => t.startsWith(`43${id}[`), resolve: done }
          socket.send(`42${id}["join",${JSON.stringify(room)}]`)
        } else {
          pending = {
            match: (t) => t.includes('"type":"joined"') && t.includes(`"room":"${room}"`),
            resolve: done
          }
          socket.send(JSON.stringify({ type: 'join', room }))
        }
      })
    },
    send(room, text, cid) {
      if (kind === 'socketio') socket.send(`42["send",${JSON.stringify({ room, text })}]`)
      else
        socket.send(
          JSON.stringify(kind === 'parley' ? { type: 'send', room, text, cid } : { type: 'send', room, text })
        )
    }
  }

  return new Promise<BenchClient>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new Error('connect timed out'))
    }, options.timeoutMs ?? 10_000)
    const ready = (): void => {
      clearTimeout(timer)
      resolve(client)
    }
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.on('unexpected-response', (_req, res) => {
      clearTimeout(timer)
      socket.terminate()
      reject(new Error(`handshake refused with HTTP ${res.statusCode}`))
    })
    socket.on('close', (code) => {
      closeCode = code
      clearTimeout(timer)
      reject(new Error(`closed with ${code} before ready`))
    })
    socket.on('open', () => {
      if (kind === 'parley') socket.send(JSON.stringify({ type: 'hello', nick: options.nick }))
      if (kind === 'ws') ready()
    })
    socket.on('message', (data: Buffer) => {
      if (live && data.indexOf(TILDE) >= 0) {
        client.onChat(data)
        return
      }
      // A joined Parley client waits for nothing but chat: presence and the like are not decoded,
      // so the load generator's CPU goes to the measured traffic (the baselines send no presence).
      if (kind === 'parley' && live && !pending) return
      if (kind === 'socketio') {
        // Engine.IO: "0" open, "2" ping (answer "3"); socket.io: "40" namespace connected.
        const first = data[0]
        if (first === 0x32 && data.length === 1) socket.send('3')
        else if (first === 0x30) socket.send('40')
        else if (data.length >= 2 && first === 0x34 && data[1] === 0x30) ready()
      }
      const text = data.toString()
      if (kind === 'parley' && text.includes('"type":"welcome"')) ready()
      if (pending?.match(text)) {
        const { resolve: done } = pending
        pending = undefined
        done()
      }
    })
  })
}
