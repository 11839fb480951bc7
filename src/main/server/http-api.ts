/**
 * Plain HTTP beside the socket: health, stats, the admin API for scripts and bots
 * (admin-message-routes.ts, fault-routes.ts, behind admin-auth.ts), the 426 answer for a browser
 * that opens /ws as a page, and (optionally) the web client itself. This module is the order in
 * which a request meets them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createAdminCheck } from './admin-auth'
import { createAdminMessageRoutes } from './admin-message-routes'
import type { GuessThrottle } from './guess-throttle'
import type { ChatHub } from './hub/chat-hub'
import type { ServerStats } from './server-types'
import type { FaultInjector } from './fault-injection'
import { createFaultRoutes } from './fault-routes'
import type { HostCheck } from './origin-policy'
import { sendError, sendJson, type HttpRoute } from './http-replies'
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

export function createHttpHandler(
  options: HttpApiOptions
): (req: IncomingMessage, res: ServerResponse) => void {
  const authorized = createAdminCheck(options)
  const { maxBodyBytes } = options
  const adminRoutes = [
    createAdminMessageRoutes({ hub: options.hub, authorized, maxBodyBytes }),
    createFaultRoutes({ faults: options.faults, authorized, maxBodyBytes })
  ]

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
    for (const handle of adminRoutes) if (await handle(req, res, path)) return
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
