/**
 * Which web pages may open a socket to this server. Browsers send `Origin` on every WebSocket
 * handshake and never let a page forge it, so this is what stops a random website the user
 * visits from chatting (and reading history) on their behalf via their LAN. Scripts and native
 * clients send no Origin and are let in: they could forge it anyway.
 */
import { isIP } from 'node:net'
import type { ForwardedSite } from './trusted-proxy'

export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  // The desktop app loads its renderer from this custom scheme.
  'parley://app'
  // Not electron-vite's dev server (http://localhost:5173): any local program can serve a page
  // there, and one did read and post messages. A development build passes its dev server's origin
  // in `allowOrigins` explicitly (app-bootstrap.ts); nothing adds it by default.
]

/**
 * `forwarded` is present only for a request from a trusted proxy (trusted-proxy.ts): the scheme
 * and Host the browser used with the proxy, which is what a page's Origin is made of.
 */
export type OriginCheck = (
  origin: string | undefined,
  hostHeader: string | undefined,
  forwarded?: ForwardedSite
) => boolean
/** Is the request's Host header a name this server answers to? */
export type HostCheck = (hostHeader: string | undefined, forwarded?: ForwardedSite) => boolean

export interface OriginPolicy {
  /** WebSocket handshakes: may a page from this origin open a socket? */
  checkOrigin: OriginCheck
  /**
   * Plain HTTP: DNS rebinding lets an attacker's page read same-origin responses from this
   * machine under the attacker's own domain, so such a Host is refused before anything is read.
   */
  checkHost: HostCheck
}

/** The hostname part of a Host header ("[::1]:8080" → "::1", "Box.local:8080" → "box.local"). */
function hostnameOf(hostHeader: string): string {
  const host = hostHeader.toLowerCase()
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/** The hostnames of the http(s) origins an operator allowed: a reverse proxy's public name. */
function hostnamesOf(origins: readonly string[]): string[] {
  const names: string[] = []
  for (const origin of origins) {
    try {
      const url = new URL(origin)
      if (url.protocol === 'http:' || url.protocol === 'https:') names.push(hostnameOf(url.host))
    } catch {
      // Not a URL ("*" or a typo): it names no host.
    }
  }
  return names
}

/**
 * `machineNames`: the names this machine answers to (its hostname; `.local` is added). Trusted
 * hosts are these, `localhost`, IP literals and the hosts of `extra` origins: an attacker's domain
 * that DNS-rebinds to this machine would otherwise match its own Host header and pass as "same
 * origin". One rule serves the socket's same-origin check and every HTTP request.
 */
export function createOriginPolicy(
  extra: readonly string[] = [],
  machineNames: readonly string[] = []
): OriginPolicy {
  const allowAll = extra.includes('*')
  const allowed = new Set([...DEFAULT_ALLOWED_ORIGINS, ...extra].map((origin) => origin.toLowerCase()))
  const trustedHosts = new Set(['localhost', ...hostnamesOf(extra)])
  for (const name of machineNames) {
    trustedHosts.add(name.toLowerCase())
    trustedHosts.add(`${name.toLowerCase()}.local`)
  }
  const isTrustedHost = (hostHeader: string): boolean => {
    const hostname = hostnameOf(hostHeader)
    return isIP(hostname) !== 0 || trustedHosts.has(hostname)
  }
  return {
    checkOrigin(origin, hostHeader, forwarded) {
      if (origin === undefined) return true
      if (allowAll) return true
      const normalized = origin.toLowerCase()
      if (allowed.has(normalized)) return true
      if (forwarded !== undefined) {
        // Behind a listed proxy the name the browser used is the one the operator's proxy answered
        // to (its server_name), so it is this server's own name, and the scheme is the proxy's.
        const host = forwarded.host ?? hostHeader
        if (host === undefined) return false
        const schemes = forwarded.proto !== undefined ? [forwarded.proto] : ['http', 'https']
        return schemes.some((scheme) => sameOrigin(normalized, `${scheme}://${host}`))
      }
      // The web client served by this very server (GET /) connects back to its own origin.
      if (hostHeader === undefined || !isTrustedHost(hostHeader)) return false
      const host = hostHeader.toLowerCase()
      return normalized === `http://${host}` || normalized === `https://${host}`
    },
    // No Host at all is a script speaking HTTP/1.0: browsers always send one, and only a browser
    // carries out a rebinding attack. A listed proxy has already chosen which names reach us.
    checkHost: (hostHeader, forwarded) =>
      allowAll || forwarded !== undefined || hostHeader === undefined || isTrustedHost(hostHeader)
  }
}

/** Compares as origins, so "https://chat.example:443" and "https://chat.example" are one. */
function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin
  } catch {
    return false
  }
}
