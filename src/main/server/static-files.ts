/**
 * Serves the built web client (out/renderer) so a browser on the LAN can join at http://HOST:PORT/.
 * Unknown paths without a file extension fall back to index.html (client-side routes).
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream'
import { contentSecurityPolicy } from '../../shared/content-security-policy'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8'
}

/**
 * The web client runs in any browser on the LAN, so it gets the same production policy the
 * desktop app serves its renderer with (one function for both). frame-ancestors and
 * X-Frame-Options (for browsers without CSP 2) stop another site from framing it to clickjack
 * a chat; no-referrer keeps room URLs out of the logs of linked sites.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}

interface OpenFile {
  handle: FileHandle
  size: number
}

/**
 * Opens first and sizes the open handle: a file removed or replaced between a stat and a later
 * open could otherwise fail mid-response. Anything that cannot be opened as a regular file
 * (missing, a directory, no permission) is simply not served.
 */
async function openFile(path: string): Promise<OpenFile | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch {
    return undefined
  }
  try {
    const info = await handle.stat()
    if (info.isFile()) return { handle, size: info.size }
  } catch {
    // Fall through: an unstattable handle is not served either.
  }
  await handle.close()
  return undefined
}

/** Answers the request from `root` and returns true, or returns false when nothing matches. */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const base = resolve(root)
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    return false
  }
  const candidate = normalize(join(base, pathname))
  // The resolved path must stay inside root: `..` and encoded variants never escape.
  if (candidate !== base && !candidate.startsWith(base + sep)) return false
  let path = candidate.endsWith(sep) || candidate === base ? join(candidate, 'index.html') : candidate
  let file = await openFile(path)
  if (file === undefined && extname(pathname) === '') {
    path = join(base, 'index.html')
    file = await openFile(path)
  }
  if (file === undefined) return false
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'Content-Length': file.size,
    ...SECURITY_HEADERS,
    'Cache-Control': path.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600'
  })
  if (req.method === 'HEAD') {
    await file.handle.close()
    res.end()
    return true
  }
  // pipeline, not pipe: a client that goes away mid-download destroys the read stream (closing
  // its file handle), and a read error ends this response instead of throwing in the process.
  // Headers are already out, so the only honest answer to a failed read is a cut connection.
  pipeline(file.handle.createReadStream(), res, () => {})
  return true
}
