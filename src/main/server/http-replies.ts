/** JSON answers and the bearer token, shared by every HTTP route (http-api.ts, files/file-routes.ts). */
import type { IncomingMessage, ServerResponse } from 'node:http'

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
