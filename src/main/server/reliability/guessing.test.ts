/**
 * Guessing secrets from one address (issue 19, point 2): the attack run sent 52,772 admin-token
 * guesses in 5 s over keep-alive and 33,198 wrong passwords in 10 s, every one answered at once.
 * Now failures past the first few are answered late, and then the address is refused for a while
 * (HTTP 429 with Retry-After, close 4429 on the socket) while other addresses are not.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { request, Agent } from 'node:http'
import { WebSocket as WsClient } from 'ws'
import { CloseCode } from '../../../shared/close-codes'
import { connect, startTestServer, type TestServer } from '../../../../test-support/server/test-harness'
import { DEFAULT_GUESS_THROTTLE } from '../guess-throttle'

let server: TestServer | undefined
afterEach(async () => {
  await server?.stop()
  server = undefined
})

const TOKEN = 'right-admin-token'

interface Answer {
  status: number
  retryAfter: string | undefined
  error: string | undefined
  ms: number
}

/** An admin POST from `localAddress` over `agent` (keep-alive, as the attack run used). */
function adminPost(port: number, token: string, agent: Agent, localAddress = '127.0.0.1'): Promise<Answer> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        agent,
        method: 'POST',
        path: '/api/rooms/general/messages',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string }
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            error: body.error,
            ms: Date.now() - started
          })
        })
      }
    )
    req.on('error', reject)
    req.end(JSON.stringify({ text: 'hi' }))
  })
}

describe('guessing the admin token', () => {
  it('answers the first failures at once, later ones late, then 429 for everyone from that address', async () => {
    server = await startTestServer({ adminToken: TOKEN })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const { freeFailures, maxFailures } = DEFAULT_GUESS_THROTTLE
    const answers: Answer[] = []
    // Sequential over one keep-alive connection, as a guessing script would.
    for (let i = 0; i < maxFailures + 2; i++) answers.push(await adminPost(server.port, `guess-${i}`, agent))
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.slice(0, maxFailures)).toEqual(Array(maxFailures).fill(401))
    expect(statuses.slice(maxFailures)).toEqual([429, 429])
    expect(Math.max(...answers.slice(0, freeFailures).map((a) => a.ms))).toBeLessThan(200)
    expect(answers[freeFailures]!.ms).toBeGreaterThanOrEqual(DEFAULT_GUESS_THROTTLE.baseDelayMs - 10)
    const locked = answers[maxFailures]!
    expect(locked.error).toBe('too_many_attempts')
    expect(Number(locked.retryAfter)).toBeGreaterThan(0)
    // Even the right token is refused during the lockout: otherwise guessing would go on.
    expect((await adminPost(server.port, TOKEN, agent)).status).toBe(429)
    // Another address is not punished for this one's guesses.
    const other = new Agent({ keepAlive: false })
    expect((await adminPost(server.port, TOKEN, other, '127.0.0.2')).status).toBe(201)
    agent.destroy()
    other.destroy()
  }, 20_000)

  it('counts guesses sent in parallel as they arrive, so a flood meets the lockout too', async () => {
    server = await startTestServer({ adminToken: TOKEN })
    const agent = new Agent({ keepAlive: true, maxSockets: 50 })
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => adminPost(server!.port, `guess-${i}`, agent))
    )
    const refused = answers.filter((answer) => answer.status === 429).length
    expect(answers.filter((answer) => answer.status === 401).length).toBeLessThanOrEqual(
      DEFAULT_GUESS_THROTTLE.maxFailures
    )
    expect(refused).toBeGreaterThanOrEqual(50 - DEFAULT_GUESS_THROTTLE.maxFailures)
    agent.destroy()
  }, 20_000)
})

describe('guessing the server password', () => {
  it('closes later wrong hellos late, then with 4429 for that address, right password included', async () => {
    server = await startTestServer({ password: 'right-password' })
    const { freeFailures, maxFailures } = DEFAULT_GUESS_THROTTLE
    const tries: { code: number; ms: number }[] = []
    for (let i = 0; i < maxFailures + 1; i++) {
      const started = Date.now()
      const client = await connect(server.url)
      client.send({ type: 'hello', nick: `guesser${i}`, password: `guess-${i}` })
      tries.push({ code: (await client.closed).code, ms: Date.now() - started })
    }
    expect(tries.slice(0, maxFailures).map((t) => t.code)).toEqual(
      Array(maxFailures).fill(CloseCode.Unauthorized)
    )
    expect(tries[maxFailures]!.code).toBe(CloseCode.RateLimited)
    expect(tries[freeFailures]!.ms).toBeGreaterThanOrEqual(DEFAULT_GUESS_THROTTLE.baseDelayMs - 10)
    const locked = await connect(server.url)
    locked.send({ type: 'hello', nick: 'owner', password: 'right-password' })
    const closed = await locked.closed
    expect(closed.code).toBe(CloseCode.RateLimited)
    expect(closed.reason).toMatch(/try again in \d+ s/)
    // Another address signs in as usual.
    const other = new WsClient(server.url, { localAddress: '127.0.0.2' })
    const welcome = await new Promise<string>((resolve, reject) => {
      other.once('open', () =>
        other.send(JSON.stringify({ type: 'hello', nick: 'owner', password: 'right-password' }))
      )
      other.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()).type))
      other.once('error', reject)
    })
    expect(welcome).toBe('welcome')
    other.close()
  }, 30_000)
})
