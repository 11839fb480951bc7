/**
 * The rate limiter after an event-loop stall (issue 19, point 1): during the attack run's 16.5 s
 * stall, frames that well-paced clients (~9.5 a second, under the limit of 10) had sent piled up,
 * were read at once and charged at once, and those clients were closed with 4429.
 * The client here runs in its own process, so it keeps sending while this one (the server's) is
 * blocked on purpose.
 */
import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../../test-support/server/test-harness'

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

// Says hello, then pings every 105 ms (9.5 a second) for 8 s; prints how it ended.
const PACED_CLIENT = `
const ws = new WebSocket(process.argv[1], 'parley.v1')
let pongs = 0
let sent = 0
let closed = null
ws.onopen = () => {
  ws.send(JSON.stringify({ type: 'hello', nick: 'paced' }))
  const timer = setInterval(() => ws.readyState === 1 && (sent++, ws.send(JSON.stringify({ type: 'ping', t: Date.now() }))), 105)
  setTimeout(() => { clearInterval(timer); setTimeout(() => { console.log(JSON.stringify({ pongs, sent, closed })); process.exit(0) }, 1500) }, 8000)
}
ws.onmessage = (event) => { if (String(event.data).includes('"pong"')) pongs++ }
ws.onclose = (event) => { closed = event.code }
`

describe('a stalled event loop', () => {
  it('does not close a client for frames it sent at a legal pace while the server was not reading', async () => {
    server = await startTestServer()
    const child = spawn(process.execPath, ['-e', PACED_CLIENT, server.url], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    // Block this process, the server's, for 5 s: ~47 of the client's pings queue up unread.
    const until = Date.now() + 5000
    while (Date.now() < until) {
      // busy: nothing else in this process runs
    }
    await exited
    const result = JSON.parse(output.trim()) as { pongs: number; sent: number; closed: number | null }
    expect(result.closed).toBeNull()
    // Every ping got its pong, the ones sent during the stall too (about 75 over 8 s; fewer when
    // this machine is busy and the client's timer runs late).
    expect(result.sent).toBeGreaterThan(40)
    expect(result.pongs).toBe(result.sent)
  }, 20_000)
})
