/**
 * Kick and ban: the reason from the body, the rule that a moderator cannot remove a moderator
 * (or themselves), then the close (4410, or 4411 with the session ended and the ban kept).
 */
import { z } from 'zod'
import { CloseCode } from '../../../shared/close-codes'
import { BodyTooLarge, readBody, refuseTooLarge, sendError, sendJson } from '../http-replies'
import { closeReason } from './close-reason'
import type { ModerationCall, ModerationHub } from './moderation-call'
import type { ModerationStore } from './moderation-store'

export interface MemberRemovalDeps {
  hub: Pick<ModerationHub, 'findUser' | 'remove'>
  store: Pick<ModerationStore, 'isModerator' | 'ban' | 'unname'>
  maxBodyBytes: number
}

const reasonBody = z.object({ reason: z.string().max(200).optional() })

/** Kicks or bans the user in the call's path; answers everything itself. */
export async function removeMember(
  call: ModerationCall,
  kind: 'kick' | 'ban',
  deps: MemberRemovalDeps
): Promise<void> {
  const { res, cors, actor } = call
  const { hub, store } = deps
  const userId = call.id()
  const reason = await reasonOf(call, deps.maxBodyBytes)
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

/** The body's reason ('' for an empty body), or undefined once the request has been answered. */
async function reasonOf(
  { req, res, cors }: ModerationCall,
  maxBodyBytes: number
): Promise<string | undefined> {
  let raw: string
  try {
    raw = await readBody(req, maxBodyBytes)
  } catch (error) {
    if (error instanceof BodyTooLarge) refuseTooLarge(req, res, maxBodyBytes, cors)
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
