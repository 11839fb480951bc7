/**
 * The moderation API. The owner is whoever holds the admin token (the host's app holds the one it
 * started its server with); moderators are users the owner names, and act with their own session
 * token. Both may kick and ban members and lift bans; only the owner names moderators, and a
 * moderator cannot remove another moderator.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { CloseCode } from '../../../shared/close-codes'
import type { User } from '../../../shared/protocol'
import {
  answerPreflight,
  BodyTooLarge,
  refuseTooLarge,
  bearerToken,
  corsHeaders,
  readBody,
  sendError,
  sendJson,
  type HttpRoute
} from '../http-replies'
import type { OriginCheck } from '../origin-policy'
import { closeReason } from './close-reason'
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

export interface ModerationRoutesOptions {
  hub: ModerationHub
  store: ModerationStore
  /** Null when the server has no admin token: then there is no owner over HTTP, only moderators. */
  checkAdminToken: ((candidate: string | undefined) => boolean) | null
  checkOrigin: OriginCheck
  maxBodyBytes: number
}

export type Role = 'owner' | 'moderator' | 'member'
type Actor = { role: 'owner'; id: 'owner' } | { role: 'moderator' | 'member'; id: string; user: User }

const reasonBody = z.object({ reason: z.string().max(200).optional() })
const KICK = /^\/api\/users\/([^/]+)\/kick$/
const BAN = /^\/api\/users\/([^/]+)\/ban$/
const BAN_ID = /^\/api\/bans\/([^/]+)$/
const MODERATOR = /^\/api\/moderators\/([^/]+)$/

export function createModerationRoutes(options: ModerationRoutesOptions): HttpRoute {
  const { hub, store } = options

  function actorFor(req: IncomingMessage): Actor | undefined {
    const token = bearerToken(req)
    if (token === undefined) return undefined
    if (options.checkAdminToken?.(token)) return { role: 'owner', id: 'owner' }
    const user = hub.userForToken(token)
    if (!user) return undefined
    return { role: store.isModerator(user.id) ? 'moderator' : 'member', id: user.id, user }
  }

  async function reasonOf(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) {
    let raw: string
    try {
      raw = await readBody(req, options.maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLarge) refuseTooLarge(req, res, options.maxBodyBytes, cors)
      else sendError(res, 400, 'bad_request', 'The body could not be read.', cors)
      return undefined
    }
    let parsed: z.ZodSafeParseResult<{ reason?: string }>
    try {
      parsed = reasonBody.safeParse(raw.trim() === '' ? {} : JSON.parse(raw))
    } catch {
      sendError(res, 400, 'bad_json', 'The body must be JSON: {"reason": "…"} (or empty).', cors)
      return undefined
    }
    if (!parsed.success) {
      sendError(
        res,
        400,
        'invalid_reason',
        'The body must be {"reason": "…"} with at most 200 characters.',
        cors
      )
      return undefined
    }
    return parsed.data.reason ?? ''
  }

  /** Kick or ban `userId` as `actor`; answers everything itself. */
  async function removeUser(
    req: IncomingMessage,
    res: ServerResponse,
    cors: Record<string, string>,
    actor: Actor,
    userId: string,
    kind: 'kick' | 'ban'
  ): Promise<void> {
    const reason = await reasonOf(req, res, cors)
    if (reason === undefined) return
    const target = hub.findUser(userId)
    if (!target) {
      sendError(res, 404, 'no_such_user', 'No user with that id has a session on this server.', cors)
      return
    }
    if (actor.role === 'moderator' && (store.isModerator(userId) || userId === actor.id)) {
      sendError(res, 403, 'forbidden', 'Moderators cannot remove a moderator; ask the owner.', cors)
      return
    }
    if (kind === 'kick') {
      hub.remove(userId, CloseCode.Kicked, closeReason('Removed by a moderator', reason), false)
      sendJson(res, 200, { kicked: target.user, reason }, cors)
      return
    }
    const ban = store.ban(target.user, target.tokenHash, reason, actor.id)
    store.unname(userId)
    hub.remove(userId, CloseCode.Banned, closeReason('Banned', reason), true)
    sendJson(res, 201, { ban }, cors)
  }

  return async (req, res, path) => {
    const method = req.method ?? 'GET'
    const kick = KICK.exec(path)
    const ban = BAN.exec(path)
    const banId = BAN_ID.exec(path)
    const moderator = MODERATOR.exec(path)
    const ours =
      path === '/api/me' ||
      path === '/api/bans' ||
      path === '/api/moderators' ||
      kick ||
      ban ||
      banId ||
      moderator
    if (!ours) return false
    if (method === 'OPTIONS') {
      answerPreflight(req, res, options.checkOrigin, 'GET, POST, PUT, DELETE')
      return true
    }
    const cors = corsHeaders(req, options.checkOrigin)
    if (cors === null) {
      sendError(res, 403, 'forbidden_origin', 'Pages from this origin may not call this API.')
      return true
    }
    const actor = actorFor(req)
    if (!actor) {
      sendError(
        res,
        401,
        'unauthorized',
        'Send the admin token, or your session token, as "Authorization: Bearer <token>".',
        { ...cors, 'WWW-Authenticate': 'Bearer' }
      )
      return true
    }
    if (path === '/api/me' && method === 'GET') {
      sendJson(res, 200, { role: actor.role, ...(actor.role !== 'owner' ? { user: actor.user } : {}) }, cors)
      return true
    }
    if (actor.role === 'member') {
      sendError(res, 403, 'forbidden', 'Only the server owner and moderators may do this.', cors)
      return true
    }
    const id = (match: RegExpExecArray) => decodeURIComponent(match[1] ?? '')
    if (kick && method === 'POST') await removeUser(req, res, cors, actor, id(kick), 'kick')
    else if (ban && method === 'POST') await removeUser(req, res, cors, actor, id(ban), 'ban')
    else if (path === '/api/bans' && method === 'GET') sendJson(res, 200, { bans: store.bans() }, cors)
    else if (banId && method === 'DELETE') {
      if (store.unban(id(banId))) sendJson(res, 200, { lifted: id(banId) }, cors)
      else sendError(res, 404, 'no_such_ban', 'No ban with that id.', cors)
    } else if (path === '/api/moderators' && method === 'GET') {
      sendJson(res, 200, { moderators: store.moderators() }, cors)
    } else if (moderator && (method === 'PUT' || method === 'DELETE')) {
      if (actor.role !== 'owner') {
        sendError(res, 403, 'forbidden', 'Only the server owner names moderators.', cors)
      } else if (method === 'PUT') {
        const target = hub.findUser(id(moderator))
        if (!target)
          sendError(res, 404, 'no_such_user', 'No user with that id has a session on this server.', cors)
        else sendJson(res, 200, { moderator: store.name(target.user) }, cors)
      } else if (store.unname(id(moderator))) sendJson(res, 200, { unnamed: id(moderator) }, cors)
      else sendError(res, 404, 'not_a_moderator', 'That user is not a moderator.', cors)
    } else {
      sendError(res, 405, 'method_not_allowed', `${method} is not supported on ${path.slice(0, 200)}.`, cors)
    }
    return true
  }
}
