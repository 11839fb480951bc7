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
 * and nothing else goes out (no http fetches to other origins).
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
    // QR codes are data: URLs.
    'img-src': "'self' data:",
    'font-src': "'self'",
    'connect-src': dev ? `'self' ws: wss: ${dev} ${devWs}` : "'self' ws: wss:",
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
