/**
 * The moderation API. The owner is whoever holds the admin token (the host's app holds the one it
 * started its server with); moderators are users the owner names, and act with their own session
 * token. Both may kick and ban members and lift bans; only the owner names moderators, and a
 * moderator cannot remove another moderator. One table entry per resource, each with its methods;
 * every call passes the same gate first: preflight, origin, token, role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { answerPreflight, corsHeaders, sendError, sendJson, type HttpRoute } from '../http-replies'
import type { OriginCheck } from '../origin-policy'
import { removeMember } from './member-removal'
import { actorFor, type ModerationCall, type ModerationHub } from './moderation-call'
import type { ModerationStore } from './moderation-store'

export type { ModerationHub, Role } from './moderation-call'

export interface ModerationRoutesOptions {
  hub: ModerationHub
  store: ModerationStore
  /** Null when the server has no admin token: then there is no owner over HTTP, only moderators. */
  checkAdminToken: ((candidate: string | undefined) => boolean) | null
  checkOrigin: OriginCheck
  maxBodyBytes: number
}

type Handler = (call: ModerationCall) => void | Promise<void>

interface Resource {
  path: RegExp
  /** Members may call it too; every other resource is the owner's and the moderators'. */
  openToMembers?: true
  methods: Partial<Record<string, Handler>>
}

function resources(options: ModerationRoutesOptions): Resource[] {
  const { hub, store } = options
  const noUser = 'No user with that id has a session on this server.'
  return [
    {
      path: /^\/api\/me$/,
      openToMembers: true,
      methods: {
        GET: ({ res, cors, actor }) =>
          sendJson(
            res,
            200,
            { role: actor.role, ...(actor.role !== 'owner' ? { user: actor.user } : {}) },
            cors
          )
      }
    },
    {
      path: /^\/api\/users\/([^/]+)\/kick$/,
      methods: { POST: (call) => removeMember(call, 'kick', options) }
    },
    { path: /^\/api\/users\/([^/]+)\/ban$/, methods: { POST: (call) => removeMember(call, 'ban', options) } },
    {
      path: /^\/api\/bans$/,
      methods: { GET: ({ res, cors }) => sendJson(res, 200, { bans: store.bans() }, cors) }
    },
    {
      path: /^\/api\/bans\/([^/]+)$/,
      methods: {
        DELETE: ({ res, cors, id }) => {
          if (store.unban(id())) sendJson(res, 200, { lifted: id() }, cors)
          else sendError(res, 404, 'no_such_ban', 'No ban with that id.', cors)
        }
      }
    },
    {
      path: /^\/api\/moderators$/,
      methods: { GET: ({ res, cors }) => sendJson(res, 200, { moderators: store.moderators() }, cors) }
    },
    {
      path: /^\/api\/moderators\/([^/]+)$/,
      methods: {
        PUT: ownerOnly(({ res, cors, id }) => {
          const target = hub.findUser(id())
          if (!target) sendError(res, 404, 'no_such_user', noUser, cors)
          else sendJson(res, 200, { moderator: store.name(target.user) }, cors)
        }),
        DELETE: ownerOnly(({ res, cors, id }) => {
          if (store.unname(id())) sendJson(res, 200, { unnamed: id() }, cors)
          else sendError(res, 404, 'not_a_moderator', 'That user is not a moderator.', cors)
        })
      }
    }
  ]
}

function ownerOnly(handler: Handler): Handler {
  return (call) => {
    if (call.actor.role === 'owner') return handler(call)
    sendError(call.res, 403, 'forbidden', 'Only the server owner names moderators.', call.cors)
  }
}

export function createModerationRoutes(options: ModerationRoutesOptions): HttpRoute {
  const table = resources(options)

  /** The gate every call passes: preflight, origin, token, role; then the method's handler. */
  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    resource: Resource,
    match: RegExpExecArray
  ): Promise<void> {
    const method = req.method ?? 'GET'
    if (method === 'OPTIONS') {
      answerPreflight(req, res, options.checkOrigin, 'GET, POST, PUT, DELETE')
      return
    }
    const cors = corsHeaders(req, options.checkOrigin)
    if (cors === null) {
      sendError(res, 403, 'forbidden_origin', 'Pages from this origin may not call this API.')
      return
    }
    const actor = actorFor(req, options)
    if (!actor) {
      sendError(
        res,
        401,
        'unauthorized',
        'Send the admin token, or your session token, as "Authorization: Bearer <token>".',
        { ...cors, 'WWW-Authenticate': 'Bearer' }
      )
      return
    }
    const handler = resource.methods[method]
    if (actor.role === 'member' && !(handler && resource.openToMembers)) {
      sendError(res, 403, 'forbidden', 'Only the server owner and moderators may do this.', cors)
    } else if (!handler) {
      sendError(res, 405, 'method_not_allowed', `${method} is not supported on ${path.slice(0, 200)}.`, cors)
    } else {
      await handler({ req, res, cors, actor, id: () => decodeURIComponent(match[1] ?? '') })
    }
  }

  return async (req, res, path) => {
    for (const resource of table) {
      const match = resource.path.exec(path)
      if (!match) continue
      await answer(req, res, path, resource, match)
      return true
    }
    return false
  }
}
