/**
 * The admin token check for the admin API's routes. Wrong tokens go through the guess throttle
 * (shared with hello's password): answered late after a few, then 429 for that address.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import type { GuessThrottle } from './guess-throttle'
import { bearerToken, sendError } from './http-replies'
import type { ClientView } from './trusted-proxy'

/** Whether the request carries the admin token; answers it (401 or 429) when it does not. */
export type AdminCheck = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>

export interface AdminCheckOptions {
  /** Null when the server was started without an admin token. */
  checkAdminToken: ((candidate: string | undefined) => boolean) | null
  guessThrottle: GuessThrottle
  clientOf: (req: IncomingMessage) => ClientView
}

export function createAdminCheck(options: AdminCheckOptions): AdminCheck {
  const { checkAdminToken, guessThrottle } = options
  return async (req, res) => {
    if (!checkAdminToken) {
      const message = 'The admin API is off: start the server with --admin-token.'
      sendError(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' })
      return false
    }
    const address = options.clientOf(req).address
    const verdict = guessThrottle.check(address)
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
    if (checkAdminToken(bearerToken(req))) {
      guessThrottle.succeeded(address)
      return true
    }
    const wait = guessThrottle.failed(address)
    if (wait > 0) await delay(wait, undefined, { ref: false })
    const message = 'Send the admin token as "Authorization: Bearer <token>".'
    sendError(res, 401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' })
    return false
  }
}
