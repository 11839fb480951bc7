/**
 * Whether a hello may have a session at all: the server's password, through the guess throttle,
 * and bans, which hold the session and the nick, so neither a resume nor a fresh hello gets past.
 */
import { CloseCode } from '../../../shared/close-codes'
import type { ClientMessageOf } from '../../../shared/protocol'
import { closeReason } from '../moderation/close-reason'
import { hashToken } from '../session-registry'
import type { Connection } from './connection'
import { REASONS, type HubContext } from './hub-context'

export interface HelloGate {
  /** False when the connection was refused (and is being closed with the reason). */
  admits(connection: Connection, message: ClientMessageOf<'hello'>): boolean
}

export function createHelloGate(ctx: HubContext): HelloGate {
  const { options } = ctx

  /** Checks the password against the guess throttle; closes the connection when it fails. */
  function passwordAccepted(connection: Connection, password: string | undefined): boolean {
    const address = connection.info.remoteAddress
    const verdict = ctx.guessThrottle.check(address)
    if (!verdict.allowed) {
      const seconds = Math.ceil(verdict.retryAfterMs / 1000)
      ctx.close(
        connection,
        CloseCode.RateLimited,
        `Too many wrong passwords from here: try again in ${seconds} s.`
      )
      return false
    }
    if (options.checkPassword?.(password)) {
      ctx.guessThrottle.succeeded(address)
      return true
    }
    const wait = ctx.guessThrottle.failed(address)
    ctx.closeAfter(connection, CloseCode.Unauthorized, REASONS.unauthorized, wait)
    return false
  }

  return {
    admits(connection, message) {
      if (options.checkPassword && !passwordAccepted(connection, message.password)) return false
      const ban = options.bans.banFor(
        message.session !== undefined ? hashToken(message.session) : undefined,
        message.nick
      )
      if (ban) {
        ctx.close(connection, CloseCode.Banned, closeReason(REASONS.banned, ban.reason))
        return false
      }
      return true
    }
  }
}
