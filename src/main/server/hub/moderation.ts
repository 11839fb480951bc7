/**
 * The hub's side of moderation: finding a user and their session for the HTTP routes
 * (moderation/moderation-routes.ts), closing their connection, and ending their session on a ban.
 */
import type { ModerationHub } from '../moderation/moderation-routes'
import type { HubContext } from './hub-context'

export function createModerationHub(ctx: HubContext): ModerationHub {
  const { sessions } = ctx
  return {
    findUser(userId) {
      const session = sessions.byUserId(userId)
      return session ? { user: session.user, tokenHash: session.tokenHash } : undefined
    },
    userForToken: (token) => sessions.byToken(token)?.user,
    remove(userId, code, reason, endSession) {
      const session = sessions.byUserId(userId)
      if (!session) return
      if (session.connection) ctx.close(session.connection, code, reason)
      if (!endSession) return
      // As if its resume window had lapsed: the nick is free, the row goes, DMs to it are refused.
      sessions.remove(session)
      ctx.expired(session)
    }
  }
}
