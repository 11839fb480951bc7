/**
 * Faults over HTTP, for a client's author holding the admin token (fault-injection.ts):
 * `POST /api/users/:id/faults` with a fault as JSON, `DELETE` to lift the lasting ones.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseFault } from '../../shared/fault-schema'
import type { AdminCheck } from './admin-auth'
import type { FaultInjector } from './fault-injection'
import { sendError, sendJson, type HttpRoute } from './http-replies'
import { readJsonBody } from './json-body'
import type { FaultResult } from './server-types'

export interface FaultRoutesOptions {
  faults: Pick<FaultInjector, 'forUser' | 'clearUser'>
  authorized: AdminCheck
  maxBodyBytes: number
}

const USER_FAULTS = /^\/api\/users\/([^/]+)\/faults$/

export function createFaultRoutes(options: FaultRoutesOptions): HttpRoute {
  async function userFaults(req: IncomingMessage, res: ServerResponse, userId: string): Promise<void> {
    if (!(await options.authorized(req, res))) return
    if (req.method === 'DELETE') {
      sendFaultResult(res, options.faults.clearUser(userId))
      return
    }
    const read = await readJsonBody(
      req,
      res,
      options.maxBodyBytes,
      'The body must be JSON, e.g. {"delayMs": 500}.'
    )
    if (!read) return
    const parsed = parseFault(read.body)
    if (!parsed.ok) {
      sendError(res, 400, 'invalid_fault', parsed.message)
      return
    }
    sendFaultResult(res, options.faults.forUser(userId, parsed.fault))
  }

  return async (req, res, path) => {
    const match = USER_FAULTS.exec(path)
    if (!match || (req.method !== 'POST' && req.method !== 'DELETE')) return false
    await userFaults(req, res, decodeURIComponent(match[1] ?? ''))
    return true
  }
}

function sendFaultResult(res: ServerResponse, result: FaultResult): void {
  if (result.ok) sendJson(res, 200, result.value)
  else sendError(res, result.status, result.error, result.message)
}
