/**
 * Serves the built renderer (out/renderer) at parley://app/. A privileged standard + secure
 * scheme gives the page a real origin (`parley://app`), which the chat server's Origin allowlist
 * accepts, instead of file://'s opaque `null` origin. Plain Node (fs + fetch's Response), so it is
 * tested under vitest with real files.
 */
import { readFile, stat } from 'node:fs/promises'
import { extname, join, relative, resolve, sep } from 'node:path'

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json'
}

export interface AppProtocolOptions {
  /** The directory holding index.html and assets/. */
  rootDir: string
  /** Sent with every HTML response (checklist 8). */
  csp: string
  /** The host part of the app's URLs: parley://app/. */
  host?: string
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } })
}

/** Returns the handler for protocol.handle('parley', …). */
export function createAppProtocolHandler(
  options: AppProtocolOptions
): (request: Request) => Promise<Response> {
  const root = resolve(options.rootDir)
  const host = options.host ?? 'app'
  return async (request) => {
    const url = new URL(request.url)
    if (url.host !== host) return notFound()
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405 })
    }
    let pathname: string
    try {
      pathname = decodeURIComponent(url.pathname)
    } catch {
      return notFound()
    }
    const file = resolve(join(root, pathname === '/' ? 'index.html' : pathname))
    const inside = relative(root, file)
    // `..` after resolving means the request climbed out of the renderer directory.
    if (inside.startsWith('..') || inside.split(sep).includes('..') || pathname.includes('\0'))
      return notFound()
    let target = file
    try {
      if (!(await stat(target)).isFile()) return notFound()
    } catch {
      // The renderer is a single page: routes without a file extension get index.html.
      if (extname(pathname)) return notFound()
      target = join(root, 'index.html')
    }
    let body: Buffer
    try {
      body = await readFile(target)
    } catch {
      return notFound()
    }
    const type = MIME_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream'
    const headers: Record<string, string> = {
      'Content-Type': type,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache'
    }
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = options.csp
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
  }
}
