/**
 * Which web pages may open a socket to this server. Browsers send `Origin` on every WebSocket
 * handshake and never let a page forge it, so this is what stops a random website the user
 * visits from chatting (and reading history) on their behalf via their LAN. Scripts and native
 * clients send no Origin and are let in: they could forge it anyway.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  // The desktop app loads its renderer from this custom scheme.
  'parley://app',
  // electron-vite's dev server. Only this port: a page on any other local port is a different origin.
  'http://localhost:5173',
  'http://127.0.0.1:5173'
]

export type OriginCheck = (origin: string | undefined, hostHeader: string | undefined) => boolean

export function createOriginCheck(extra: readonly string[] = []): OriginCheck {
  const allowAll = extra.includes('*')
  const allowed = new Set([...DEFAULT_ALLOWED_ORIGINS, ...extra].map((origin) => origin.toLowerCase()))
  return (origin, hostHeader) => {
    if (origin === undefined) return true
    if (allowAll) return true
    const normalized = origin.toLowerCase()
    if (allowed.has(normalized)) return true
    // The web client served by this very server (GET /) connects back to its own origin.
    if (hostHeader !== undefined) {
      const host = hostHeader.toLowerCase()
      if (normalized === `http://${host}` || normalized === `https://${host}`) return true
    }
    return false
  }
}
