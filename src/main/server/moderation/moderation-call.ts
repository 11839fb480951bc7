/**
 * What a moderation route works with: the chat it acts on, who is calling (the owner, holding the
 * admin token; a moderator or a member, holding their session token), and the call itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { User } from '../../../shared/protocol'
import { bearerToken } from '../http-replies'
import type { ModerationStore } from './moderation-store'

/** What the routes need of the chat: find a user, and close their connection. */
export interface ModerationHub {
  /** A user with a session (connected or resumable), and that session's token hash. */
  findUser(userId: string): { user: User; tokenHash: string } | undefined
  /** The user of a session token, if the session exists. */
  userForToken(token: string): User | undefined
  /** Closes the user's connection with `code` and `reason`; `endSession` also ends their session. */
  remove(userId: string, code: number, reason: string, endSession: boolean): void
}

export type Role = 'owner' | 'moderator' | 'member'
export type Actor = { role: 'owner'; id: 'owner' } | { role: 'moderator' | 'member'; id: string; user: User }

export interface ActorDeps {
  /** Null when the server has no admin token: then there is no owner over HTTP, only moderators. */
  checkAdminToken: ((candidate: string | undefined) => boolean) | null
  hub: Pick<ModerationHub, 'userForToken'>
  store: Pick<ModerationStore, 'isModerator'>
}

/** Who the bearer token says is calling, or undefined for no token or an unknown one. */
export function actorFor(req: IncomingMessage, deps: ActorDeps): Actor | undefined {
  const token = bearerToken(req)
  if (token === undefined) return undefined
  if (deps.checkAdminToken?.(token)) return { role: 'owner', id: 'owner' }
  const user = deps.hub.userForToken(token)
  if (!user) return undefined
  return { role: deps.store.isModerator(user.id) ? 'moderator' : 'member', id: user.id, user }
}

/** A call that passed the origin and token checks. */
export interface ModerationCall {
  req: IncomingMessage
  res: ServerResponse
  /** The CORS headers every answer carries. */
  cors: Record<string, string>
  actor: Actor
  /** The id in the path (`:id`), decoded; only called once the call is allowed. */
  id(): string
}
