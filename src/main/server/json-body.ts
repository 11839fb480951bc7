/** A request body read as JSON, with the two refusals every JSON route gives (413, 400). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { BodyTooLarge, readBody, refuseTooLarge, sendError } from './http-replies'

/**
 * The parsed body, or undefined once the request has been answered: 413 past `maxBytes`, 400
 * `bad_json` with `badJson` (a sentence showing what the route takes) when it does not parse.
 */
export async function readJsonBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  badJson: string
): Promise<{ body: unknown } | undefined> {
  try {
    return { body: JSON.parse(await readBody(req, maxBytes)) }
  } catch (error) {
    if (error instanceof BodyTooLarge) refuseTooLarge(req, res, maxBytes)
    else sendError(res, 400, 'bad_json', badJson)
    return undefined
  }
}
