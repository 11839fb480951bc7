/**
 * Serves the built web client (out/renderer) so a browser on the LAN can join at http://HOST:PORT/.
 * Unknown paths without a file extension fall back to index.html (client-side routes).
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

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

async function fileAt(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
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
  let size = await fileAt(path)
  if (size === undefined && extname(pathname) === '') {
    path = join(base, 'index.html')
    size = await fileAt(path)
  }
  if (size === undefined) return false
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'Content-Length': size,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': path.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600'
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(path).pipe(res)
  return true
}
