/** JSON in and out, the bearer token and CORS, shared by every HTTP route module. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { OriginCheck } from './origin-policy'

/** Answers the request and returns true, or returns false to let the next route try. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers
  })
  res.end(text)
}

/** Errors are `{"error": code, "message": sentence}`: a machine code and what a person can do. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {}
): void {
  sendJson(res, status, { error, message }, headers)
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header)
  return match?.[1]
}

export class BodyTooLarge extends Error {}

/** How long the rest of an oversized body is read (and dropped) after the 413, before hanging up. */
const DRAIN_AFTER_REFUSAL_MS = 2000

/**
 * Answers 413 for a body readBody refused, then hangs up: written first (the rest of the body is
 * being drained), so the client reads the answer instead of a reset.
 */
export function refuseTooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  headers: Record<string, string> = {}
): void {
  res.once('finish', () => setTimeout(() => req.destroy(), DRAIN_AFTER_REFUSAL_MS).unref())
  sendError(res, 413, 'too_large', `The body is over ${maxBytes} bytes.`, { ...headers, Connection: 'close' })
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const collect = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        req.off('data', collect)
        // Still reading, and discarding: closing with unread bytes in the socket makes the
        // kernel send a reset, and the client would lose the 413 that says what went wrong.
        // The caller hangs up once the 413 is written (DRAIN_AFTER_REFUSAL_MS).
        req.resume()
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    }
    req.on('data', collect)
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * CORS for the routes a page calls with a token (uploads, moderation): the desktop app's page
 * (parley://app) is another origin than the server. The same origins may call them as may open
 * a socket. `{}` for a request without Origin (a script), null for an origin that may not.
 */
export function corsHeaders(req: IncomingMessage, checkOrigin: OriginCheck): Record<string, string> | null {
  const origin = req.headers.origin
  if (origin === undefined) return {}
  if (!checkOrigin(origin, req.headers.host)) return null
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
}

/** Answers a CORS preflight for `methods` with the headers Parley's token routes take. */
export function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  checkOrigin: OriginCheck,
  methods: string
): void {
  const cors = corsHeaders(req, checkOrigin)
  res.writeHead(cors === null ? 403 : 204, {
    ...(cors ?? {}),
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-File-Name',
    'Access-Control-Max-Age': '600'
  })
  res.end()
}
