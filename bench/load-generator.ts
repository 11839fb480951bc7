/**
 * The load generator: a child process of bench/run.ts that holds the clients and answers the
 * orchestrator's commands over IPC. It runs apart from the servers so each side has its own
 * core; the orchestrator measures the server's CPU from /proc while this process drives it.
 */
import { connectClient, nowMicros, readMarker, type BenchClient, type ServerKind } from './bench-clients'
import { summarize } from './latency-stats'

export type Command =
  | { cmd: 'connect'; kind: ServerKind; port: number; count: number; room: RoomPlan; perAddress: number }
  | { cmd: 'rate'; perClientPerSecond: number }
  | { cmd: 'window'; on: boolean }
  | { cmd: 'report' }
  | { cmd: 'sample'; ms: number; minIntervalMs: number; timeoutMs: number }
  | { cmd: 'persist'; burst: number; timeoutMs: number }
  | { cmd: 'close' }

/**
 * How clients are spread over rooms: `rooms` rooms round-robin, or one room each. `general`: every
 * client is also in `general`, as on a LAN server where everyone stays in the room hello puts
 * them in (Parley's hello does that itself; the baselines' clients join it explicitly).
 */
export type RoomPlan = ({ prefix: string; rooms: number } | { prefix: string; own: true }) & {
  general?: boolean
}

interface Member {
  client: BenchClient
  room: string
}

const members: Member[] = []
const roomSize = new Map<string, number>()
const PAD = 'x'.repeat(48) // a typical chat line is a few dozen characters

// Fan-out state: only messages sent inside the measurement window (tag "1") are counted.
let inWindow = false
let sent = 0
let expected = 0
let received = 0
let latencies = new Float64Array(1 << 20)
let latencyCount = 0
let sendTimers: NodeJS.Timeout[] = []

function recordLatency(ms: number): void {
  if (latencyCount === latencies.length) {
    const grown = new Float64Array(latencies.length * 2)
    grown.set(latencies)
    latencies = grown
  }
  latencies[latencyCount++] = ms
}

function receiversOf(member: Member): number {
  const size = roomSize.get(member.room) ?? 0
  return member.client.receivesOwn ? size : size - 1
}

async function connect(command: Extract<Command, { cmd: 'connect' }>): Promise<object> {
  const started = performance.now()
  const errors = new Map<string, number>()
  let next = 0
  let failed = 0
  const base = members.length
  const worker = async (): Promise<void> => {
    while (next < command.count) {
      const i = base + next++
      const room =
        'own' in command.room
          ? `${command.room.prefix}${i}`
          : `${command.room.prefix}${i % command.room.rooms}`
      // 127.0.0.1 is the server's; clients come from 127.1.x.y, `perAddress` per address.
      const slot = Math.floor(i / command.perAddress)
      const localAddress = `127.1.${(slot >> 8) & 255}.${(slot & 255) + 1}`
      try {
        const client = await connectClient({
          kind: command.kind,
          port: command.port,
          nick: `b${process.pid}-${i}`,
          localAddress
        })
        if (command.room.general && command.kind !== 'parley') await client.join('general')
        await client.join(room)
        members.push({ client, room })
        roomSize.set(room, (roomSize.get(room) ?? 0) + 1)
        client.onChat = onChat
      } catch (error) {
        failed++
        const key = (error as Error).message
        errors.set(key, (errors.get(key) ?? 0) + 1)
      }
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  return {
    connected: members.length,
    failed,
    errors: Object.fromEntries(errors),
    ms: performance.now() - started
  }
}

// Broadcast sampling (capacity): one broadcast in flight, counted across every member.
let sampleExpected = 0
let sampleReceived = 0
let sampleStarted = 0
let sampleDone: (() => void) | undefined

function onChat(frame: Buffer): void {
  const marker = readMarker(frame)
  if (!marker) return
  if (marker.tag === 0x31 /* "1": fan-out, measured */) {
    received++
    recordLatency((nowMicros() - marker.sentMicros) / 1000)
  } else if (marker.tag === 0x62 /* "b": broadcast sample */ && marker.sentMicros === sampleStarted) {
    if (++sampleReceived === sampleExpected) sampleDone?.()
  } else if (marker.tag === 0x70 /* "p": persistence ack */) {
    persistAcks++
    if (persistAcks === persistExpected) persistDone?.()
  }
}

function setRate(perClientPerSecond: number): void {
  for (const timer of sendTimers) clearTimeout(timer)
  sendTimers = []
  if (perClientPerSecond <= 0) return
  const periodMs = 1000 / perClientPerSecond
  const start = performance.now()
  members.forEach((member, index) => {
    // Staggered: each client's phase is random, and it keeps to its own schedule without drift.
    const phase = Math.random() * periodMs
    let k = 0
    const tick = (): void => {
      const tag = inWindow ? '1' : '0'
      if (inWindow) {
        sent++
        expected += receiversOf(member)
      }
      member.client.send(member.room, `~${nowMicros()}~${tag}~${PAD}`)
      k++
      sendTimers[index] = setTimeout(tick, Math.max(0, start + phase + k * periodMs - performance.now()))
    }
    sendTimers[index] = setTimeout(tick, phase)
  })
}

async function sample(command: Extract<Command, { cmd: 'sample' }>): Promise<object> {
  const sender = members[0]
  if (!sender) return { error: 'no clients' }
  const rtts: number[] = []
  let timeouts = 0
  const end = performance.now() + command.ms
  while (performance.now() < end) {
    const began = performance.now()
    sampleStarted = nowMicros()
    sampleReceived = 0
    sampleExpected = receiversOf(sender)
    const complete = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), command.timeoutMs)
      sampleDone = () => {
        clearTimeout(timer)
        resolve(true)
      }
    })
    sender.client.send(sender.room, `~${sampleStarted}~b~${PAD}`)
    if (await complete) rtts.push(performance.now() - began)
    else {
      timeouts++
      rtts.push(command.timeoutMs)
    }
    sampleDone = undefined
    const wait = command.minIntervalMs - (performance.now() - began)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  return { members: members.length, timeouts, ...summarize(rtts) }
}

let persistAcks = 0
let persistExpected = 0
let persistDone: (() => void) | undefined

async function persist(command: Extract<Command, { cmd: 'persist' }>): Promise<object> {
  persistAcks = 0
  persistExpected = members.length * command.burst
  const done = new Promise<void>((resolve) => {
    persistDone = resolve
    setTimeout(resolve, command.timeoutMs)
  })
  const started = performance.now()
  let n = 0
  for (let b = 0; b < command.burst; b++) {
    for (const member of members) member.client.send(member.room, `~${nowMicros()}~p~${PAD}`, `c${n++}`)
  }
  await done
  const ms = performance.now() - started
  return { sent: persistExpected, acked: persistAcks, ms, perSecond: (persistAcks / ms) * 1000 }
}

function report(): object {
  const result = { sent, expected, received, ...summarize(latencies, latencyCount) }
  sent = expected = received = latencyCount = 0
  return result
}

function closeCodes(): Record<string, number> {
  const codes: Record<string, number> = {}
  for (const { client } of members) {
    const code = client.closeCode()
    if (code !== undefined) codes[code] = (codes[code] ?? 0) + 1
  }
  return codes
}

process.on('message', (command: Command) => {
  const reply = (value: object): void => void process.send?.({ ...value, closed: closeCodes() })
  switch (command.cmd) {
    case 'connect':
      void connect(command).then(reply)
      break
    case 'rate':
      setRate(command.perClientPerSecond)
      reply({})
      break
    case 'window':
      inWindow = command.on
      reply({})
      break
    case 'report':
      reply(report())
      break
    case 'sample':
      void sample(command).then(reply)
      break
    case 'persist':
      void persist(command).then(reply)
      break
    case 'close':
      setRate(0)
      for (const { client } of members) client.terminate()
      reply({})
      process.disconnect()
      break
  }
})
