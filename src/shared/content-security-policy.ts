/**
 * The renderer's Content Security Policy, one definition for every place that serves the
 * renderer: the Electron shell (parley:// responses and session headers) and the chat server
 * (the web client at http://HOST:PORT/). Pure string building, so the headless server can use it
 * without importing anything of the shell.
 */

export interface CspOptions {
  /** The dev server's origin (electron-vite), which needs inline scripts and its HMR socket. */
  devServerOrigin?: string
}

/**
 * Electron security checklist 8: a Content Security Policy. The page loads only its own scripts; `connect-src`
 * allows ws:/wss: because connecting to a chat server the person names is the app's purpose,
 * and http:/https: because files are uploaded to that same server over HTTP (POST /api/files)
 * and its pictures shown from it (`img-src`). Which server that is cannot be known when the
 * policy is written; a page that could send data over ws: to any host gains no new reach.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const dev = options.devServerOrigin
  const devWs = dev ? dev.replace(/^http/, 'ws') : ''
  const directives: Record<string, string> = {
    'default-src': "'self'",
    // The React plugin's dev preamble is an inline script; production builds have none.
    'script-src': dev ? `'self' 'unsafe-inline' ${dev}` : "'self'",
    // Libraries (react-virtuoso) set inline styles; styles cannot run code.
    'style-src': "'self' 'unsafe-inline'",
    // QR codes are data: URLs; attached pictures come from the chat server.
    'img-src': "'self' data: http: https:",
    'font-src': "'self'",
    'connect-src': dev ? `'self' ws: wss: http: https: ${dev} ${devWs}` : "'self' ws: wss: http: https:",
    'object-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
    'frame-src': "'none'",
    'worker-src': "'self'"
  }
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ')
}
