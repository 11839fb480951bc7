/**
 * Plain HTTP beside the socket: health, stats, the admin API for scripts and bots, the 426
 * answer for a browser that opens /ws as a page, and (optionally) the web client itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { z } from 'zod'
import { parseFault } from '../../shared/fault-schema'
import type { GuessThrottle } from './guess-throttle'
import type { AdminResult } from './hub/admin'
import type { ChatHub } from './hub/chat-hub'
import type { FaultResult, ServerStats } from './server-types'
import type { FaultInjector } from './fault-injection'
import type { HostCheck } from './origin-policy'
import {
  BodyTooLarge,
  bearerToken,
  readBody,
  refuseTooLarge,
  sendError,
  sendJson,
  type HttpRoute
} from './http-replies'
import { serveStatic } from './static-files'
import type { ClientView } from './trusted-proxy'

export interface HttpApiOptions {
  hub: ChatHub
  faults: Pick<FaultInjector, 'forUser' | 'clearUser'>
  stats: () => ServerStats
  /** Null when the server was started without an admin token. */
  checkAdminToken: ((candidate: string | undefined) => boolean) | null
  /** Wrong admin tokens per address: delayed answers, then 429 (shared with the password check). */
  guessThrottle: GuessThrottle
  staticDir: string | undefined
  maxBodyBytes: number
  /** The same trusted-host rule the socket's origin check uses (origin-policy.ts). */
  checkHost: HostCheck
  /** More routes, tried in order after the host check: files, moderation. */
  routes: readonly HttpRoute[]
  /** Who a request is from, a trusted proxy's forwarding headers weighed (trusted-proxy.ts). */
  clientOf: (req: IncomingMessage) => ClientView
}

const adminBody = z.object({ text: z.string() })

const ROOM_MESSAGES = /^\/api\/rooms\/([^/]+)\/messages$/
const USER_MESSAGES = /^\/api\/users\/([^/]+)\/messages$/
const USER_FAULTS = /^\/api\/users\/([^/]+)\/faults$/

export function createHttpHandler(
  options: HttpApiOptions
): (req: IncomingMessage, res: ServerResponse) => void {
  /** Answers 401 and returns false unless the request carries the admin token. */
  /**
   * Whether the request carries the admin token; answers it otherwise. Wrong tokens go through the
   * guess throttle (shared with hello's password): answered late after a few, then 429.
   */
  async function authorized(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!options.checkAdminToken) {
      const message = 'The admin API is off: start the server with --admin-token.'
      sendError(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' })
      return false
    }
    const address = options.clientOf(req).address
    const verdict = options.guessThrottle.check(address)
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000)
      sendError(
        res,
        429,
        'too_many_attempts',
        `Too many wrong secrets from ${address}: try again in ${seconds} s.`,
        { 'Retry-After': String(seconds) }
      )
      return false
    }
    if (options.checkAdminToken(bearerToken(req))) {
      options.guessThrottle.succeeded(address)
      return true
    }
    const wait = options.guessThrottle.failed(address)
    if (wait > 0) await delay(wait, undefined, { ref: false })
    const message = 'Send the admin token as "Authorization: Bearer <token>".'
    sendError(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' })
    return false
  }

  function sendFaultResult(res: ServerResponse, result: FaultResult): void {
    if (result.ok) sendJson(res, 200, result.value)
    else sendError(res, result.status, result.error, result.message)
  }

  async function faults(req: IncomingMessage, res: ServerResponse, userId: string): Promise<void> {
    if (!(await authorized(req, res))) return
    if (req.method === 'DELETE') {
      sendFaultResult(res, options.faults.clearUser(userId))
      return
    }
    let body: unknown
    try {
      body = JSON.parse(await readBody(req, options.maxBodyBytes))
    } catch (error) {
      if (error instanceof BodyTooLarge) refuseTooLarge(req, res, options.maxBodyBytes)
      else sendError(res, 400, 'bad_json', 'The body must be JSON, e.g. {"delayMs": 500}.')
      return
    }
    const parsed = parseFault(body)
    if (!parsed.ok) {
      sendError(res, 400, 'invalid_fault', parsed.message)
      return
    }
    sendFaultResult(res, options.faults.forUser(userId, parsed.fault))
  }

  async function admin(
    req: IncomingMessage,
    res: ServerResponse,
    post: (text: string) => Promise<AdminResult<unknown>>
  ): Promise<void> {
    if (!(await authorized(req, res))) return
    let body: unknown
    try {
      body = JSON.parse(await readBody(req, options.maxBodyBytes))
    } catch (error) {
      if (error instanceof BodyTooLarge) refuseTooLarge(req, res, options.maxBodyBytes)
      else sendError(res, 400, 'bad_json', 'The body must be JSON: {"text": "…"}.')
      return
    }
    const parsed = adminBody.safeParse(body)
    if (!parsed.success) {
      sendError(res, 400, 'invalid_message', 'The body must be {"text": "…"}.')
      return
    }
    const result = await post(parsed.data.text)
    if (result.ok) sendJson(res, 201, result.value)
    else sendError(res, result.status, result.error, result.message)
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const method = req.method ?? 'GET'

    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, { ok: true })
      return
    }
    // After /healthz, which reveals nothing and must answer probes under any name (a container's
    // service name, say); everything else (stats name the rooms) is refused to a DNS-rebinding page.
    const host = req.headers.host
    if (!options.checkHost(host, options.clientOf(req).forwarded)) {
      const name = (host ?? '').slice(0, 200)
      sendError(
        res,
        421,
        'wrong_host',
        `This server does not answer to the name "${name}". Open it by IP address, localhost or this machine's name, or start it with --allow-origin http://${name}.`
      )
      return
    }
    for (const handle of options.routes) if (await handle(req, res, path)) return
    if (path === '/api/stats' && method === 'GET') {
      sendJson(res, 200, options.stats())
      return
    }
    const room = ROOM_MESSAGES.exec(path)
    if (room && method === 'POST') {
      const name = decodeURIComponent(room[1] ?? '')
      await admin(req, res, (text) => options.hub.postAsServer(name, text))
      return
    }
    const user = USER_MESSAGES.exec(path)
    if (user && method === 'POST') {
      const id = decodeURIComponent(user[1] ?? '')
      await admin(req, res, (text) => options.hub.dmAsServer(id, text))
      return
    }
    const faulty = USER_FAULTS.exec(path)
    if (faulty && (method === 'POST' || method === 'DELETE')) {
      await faults(req, res, decodeURIComponent(faulty[1] ?? ''))
      return
    }
    if (path === '/ws') {
      // A browser opening the endpoint as a page: say what it is instead of a blank 404.
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' })
      res.end('426 Upgrade Required: this is a WebSocket endpoint. Connect with new WebSocket(url).\n')
      return
    }
    if (options.staticDir !== undefined && (await serveStatic(options.staticDir, req, res))) return
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Parley chat server. Connect a WebSocket to ws://<this host>/ws (protocol parley.v1).\n')
      return
    }
    sendError(res, 404, 'not_found', `Nothing at ${method} ${path.slice(0, 200)}.`)
  }

  return (req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 400, 'bad_request', 'The request could not be handled.')
      else res.destroy()
    })
  }
}
