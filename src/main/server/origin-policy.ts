/**
 * Which web pages may open a socket to this server. Browsers send `Origin` on every WebSocket
 * handshake and never let a page forge it, so this is what stops a random website the user
 * visits from chatting (and reading history) on their behalf via their LAN. Scripts and native
 * clients send no Origin and are let in: they could forge it anyway.
 */
import { isIP } from 'node:net'

export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  // The desktop app loads its renderer from this custom scheme.
  'parley://app',
  // electron-vite's dev server. Only this port: a page on any other local port is a different origin.
  'http://localhost:5173',
  'http://127.0.0.1:5173'
]

export type OriginCheck = (origin: string | undefined, hostHeader: string | undefined) => boolean

/** The hostname part of a Host header ("[::1]:8080" → "::1", "Box.local:8080" → "box.local"). */
function hostnameOf(hostHeader: string): string {
  const host = hostHeader.toLowerCase()
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/**
 * `machineNames`: the names this machine answers to (its hostname; `.local` is added). The
 * same-origin rule trusts only these, `localhost` and IP literals: an attacker's domain that
 * DNS-rebinds to this machine would otherwise match its own Host header and pass as "same origin".
 */
export function createOriginCheck(
  extra: readonly string[] = [],
  machineNames: readonly string[] = []
): OriginCheck {
  const allowAll = extra.includes('*')
  const allowed = new Set([...DEFAULT_ALLOWED_ORIGINS, ...extra].map((origin) => origin.toLowerCase()))
  const trustedHosts = new Set(['localhost'])
  for (const name of machineNames) {
    trustedHosts.add(name.toLowerCase())
    trustedHosts.add(`${name.toLowerCase()}.local`)
  }
  return (origin, hostHeader) => {
    if (origin === undefined) return true
    if (allowAll) return true
    const normalized = origin.toLowerCase()
    if (allowed.has(normalized)) return true
    // The web client served by this very server (GET /) connects back to its own origin.
    if (hostHeader === undefined) return false
    const hostname = hostnameOf(hostHeader)
    if (isIP(hostname) === 0 && !trustedHosts.has(hostname)) return false
    const host = hostHeader.toLowerCase()
    return normalized === `http://${host}` || normalized === `https://${host}`
  }
}
