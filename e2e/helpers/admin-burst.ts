/**
 * A load generator for the perf test, run as its own Node process (`node admin-burst.ts`, Node's
 * type stripping) so its work never competes with the Playwright process's event loop: it posts
 * `burst N` messages into one room through the admin HTTP API at a fixed rate. Unlike a WebSocket
 * sender, it is not a room member, so it never receives the burst it creates; the only thing it
 * reads is one small 201 per message. Bounded in count and time, loopback only.
 *
 * Arguments (JSON in argv[2]): { port, room, token, rate, seconds }.
 * Stdout: one JSON line `{"event":"start","at":<epoch ms>}`, then `{"event":"done", ...}` with
 * `startedAt` (epoch ms) and `sentAt[N - 1]` (ms after it) for every `burst N`.
 */
import { Agent, request } from 'node:http'

interface BurstArgs {
  port: number
  room: string
  token: string
  rate: number
  seconds: number
}

const args = JSON.parse(process.argv[2] ?? '{}') as BurstArgs
const total = Math.round(args.rate * args.seconds)
/** Past this, give up on answers still outstanding: the run is bounded even if the server stalls. */
const hardStopMs = args.seconds * 1000 + 10_000
/** Enough sockets that a slow answer never holds up the schedule; few enough to stay polite. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const path = `/api/rooms/${encodeURIComponent(args.room)}/messages`

let sent = 0
let answered = 0
let inFlight = 0
let maxBehind = 0
const statuses: Record<string, number> = {}
const latencies: number[] = []
/** When each `burst N` left, in ms after the start (index N - 1): the page's lag is measured against it. */
const sentAt: number[] = []
let lastSendAt = 0

function post(seq: number): void {
  sentAt[seq - 1] = Date.now() - startWall
  const body = JSON.stringify({ text: `burst ${seq}` })
  const startedAt = performance.now()
  inFlight++
  const req = request(
    {
      host: '127.0.0.1',
      port: args.port,
      method: 'POST',
      path,
      agent,
      headers: {
        authorization: `Bearer ${args.token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body)
      }
    },
    (res) => {
      res.resume()
      res.on('end', () => finish(String(res.statusCode)))
    }
  )
  const finish = (status: string) => {
    inFlight--
    answered++
    statuses[status] = (statuses[status] ?? 0) + 1
    latencies.push(performance.now() - startedAt)
  }
  req.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'))
  req.end(body)
}

function percentile(sorted: number[], q: number): number {
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10
}

const start = performance.now()
const startWall = Date.now()
process.stdout.write(JSON.stringify({ event: 'start', at: startWall }) + '\n')

// Paced, not flooded: every tick sends what the schedule says is due by now, so a late timer
// catches up instead of drifting, and the rate is what was asked for, not what the machine allows.
const pacer = setInterval(() => {
  const elapsed = performance.now() - start
  const due = Math.min(total, Math.floor((elapsed * args.rate) / 1000))
  // Capped in flight so a stalled server is visible as "behind" rather than as a pile of sockets.
  while (sent < due && inFlight < 1000) post(++sent)
  maxBehind = Math.max(maxBehind, due - sent)
  if (sent === total && lastSendAt === 0) lastSendAt = performance.now()
  if ((sent === total && inFlight === 0) || elapsed > hardStopMs) done()
}, 2)

function done(): void {
  clearInterval(pacer)
  agent.destroy()
  const sendMs = (lastSendAt || performance.now()) - start
  const sorted = [...latencies].sort((a, b) => a - b)
  const report = {
    event: 'done',
    requested: { rate: args.rate, seconds: args.seconds, total },
    sent,
    answered,
    statuses,
    sendSeconds: Math.round(sendMs / 100) / 10,
    sentPerSecond: Math.round(sent / (sendMs / 1000)),
    maxBehindSchedule: maxBehind,
    answerMs: { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: percentile(sorted, 1) },
    startedAt: startWall,
    sentAt
  }
  process.stdout.write(JSON.stringify(report) + '\n')
}
