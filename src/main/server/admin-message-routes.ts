/**
 * The server's own voice over HTTP, for scripts and bots holding the admin token:
 * `POST /api/rooms/:name/messages` and `POST /api/users/:id/messages` (a DM), body `{"text": "…"}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { AdminCheck } from './admin-auth'
import type { AdminApi, AdminResult } from './hub/admin'
import { sendError, sendJson, type HttpRoute } from './http-replies'
import { readJsonBody } from './json-body'

export interface AdminMessageRoutesOptions {
  hub: Pick<AdminApi, 'postAsServer' | 'dmAsServer'>
  authorized: AdminCheck
  maxBodyBytes: number
}

const adminBody = z.object({ text: z.string() })
const ROOM_MESSAGES = /^\/api\/rooms\/([^/]+)\/messages$/
const USER_MESSAGES = /^\/api\/users\/([^/]+)\/messages$/

export function createAdminMessageRoutes(options: AdminMessageRoutesOptions): HttpRoute {
  const { hub } = options

  async function post(
    req: IncomingMessage,
    res: ServerResponse,
    send: (text: string) => Promise<AdminResult<unknown>>
  ): Promise<void> {
    if (!(await options.authorized(req, res))) return
    const read = await readJsonBody(req, res, options.maxBodyBytes, 'The body must be JSON: {"text": "…"}.')
    if (!read) return
    const parsed = adminBody.safeParse(read.body)
    if (!parsed.success) {
      sendError(res, 400, 'invalid_message', 'The body must be {"text": "…"}.')
      return
    }
    const result = await send(parsed.data.text)
    if (result.ok) sendJson(res, 201, result.value)
    else sendError(res, result.status, result.error, result.message)
  }

  return async (req, res, path) => {
    if (req.method !== 'POST') return false
    const room = ROOM_MESSAGES.exec(path)
    if (room) {
      const name = decodeURIComponent(room[1] ?? '')
      await post(req, res, (text) => hub.postAsServer(name, text))
      return true
    }
    const user = USER_MESSAGES.exec(path)
    if (user) {
      const id = decodeURIComponent(user[1] ?? '')
      await post(req, res, (text) => hub.dmAsServer(id, text))
      return true
    }
    return false
  }
}
