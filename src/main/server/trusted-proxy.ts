/**
 * Who is really on the other end of a request that came through a reverse proxy. Behind nginx or
 * Caddy every socket's peer is the proxy, so the per-address cap, the logs and the host's
 * connections view would all see one address. The forwarding headers say who the client is, but
 * anyone can send them: they are read only when the TCP peer is a proxy the operator listed
 * (`--trust-proxy`), and within them only hops appended by listed proxies are believed.
 */
import { BlockList, isIP } from 'node:net'

export interface ProxyTrust {
  /** Is this peer (a socket's remote address) one of the operator's proxies? */
  trusts(address: string): boolean
}

/** What a request says about its client once the forwarding headers have been weighed. */
export interface ClientView {
  /** The client's address: the right-most hop no listed proxy vouches for, else the TCP peer. */
  address: string
  /** Present only for a request from a trusted proxy: what the browser saw. */
  forwarded?: ForwardedSite
}

export interface ForwardedSite {
  /** `http` or `https` as the proxy reported it; absent when it did not say. */
  proto?: 'http' | 'https'
  /** The Host the browser sent to the proxy (`X-Forwarded-Host`), absent when it did not say. */
  host?: string
}

type Headers = Record<string, string | string[] | undefined>

const NOBODY: ProxyTrust = { trusts: () => false }

/** "::ffff:127.0.0.1" (a dual-stack socket's IPv4 peer) → "127.0.0.1"; others unchanged. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase()
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7)
  return lower
}

/**
 * Parses `--trust-proxy` / `PARLEY_TRUST_PROXY`: addresses and CIDRs, IPv4 and IPv6, separated
 * by commas or spaces. Throws a TypeError naming every entry it cannot read.
 */
export function parseProxyTrust(list: string | readonly string[] | undefined): ProxyTrust {
  const entries = (typeof list === 'string' ? [list] : (list ?? []))
    .flatMap((item) => item.split(/[\s,]+/))
    .filter(Boolean)
  if (entries.length === 0) return NOBODY
  const blocks = new BlockList()
  const bad: string[] = []
  for (const entry of entries) {
    const slash = entry.indexOf('/')
    const address = normalizeAddress(slash === -1 ? entry : entry.slice(0, slash))
    const family = isIP(address)
    if (family === 0) {
      bad.push(entry)
      continue
    }
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (slash === -1) {
      blocks.addAddress(address, type)
      continue
    }
    const bits = entry.slice(slash + 1)
    const prefix = Number(bits)
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      bad.push(entry)
      continue
    }
    blocks.addSubnet(address, prefix, type)
  }
  if (bad.length > 0) {
    throw new TypeError(
      `Invalid trusted proxy ${bad.join(', ')}: give IP addresses or CIDRs such as 127.0.0.1, 10.0.0.0/8 or ::1.`
    )
  }
  return {
    trusts(address) {
      const normalized = normalizeAddress(address)
      const family = isIP(normalized)
      return family !== 0 && blocks.check(normalized, family === 4 ? 'ipv4' : 'ipv6')
    }
  }
}

/** One header's value, repeated headers joined as a list (Node joins most, not all). */
function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

/** The right-most value of a comma list: the one the proxy nearest to us wrote. */
function lastOfList(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items.at(-1)
}

/**
 * A node as the headers spell it, to a bare address: "[2001:db8::1]:4711" → "2001:db8::1",
 * "192.0.2.60:8080" → "192.0.2.60". Undefined for "unknown", "_obfuscated" and garbage.
 */
export function nodeAddress(node: string): string | undefined {
  let value = node.trim()
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1)
  if (value.startsWith('[')) {
    const end = value.indexOf(']')
    if (end === -1) return undefined
    value = value.slice(1, end)
  } else if (isIP(value) === 0 && /^[\d.]+:\d+$/.test(value)) {
    value = value.slice(0, value.lastIndexOf(':'))
  }
  const address = normalizeAddress(value)
  return isIP(address) === 0 ? undefined : address
}

interface ForwardedElement {
  for?: string
  proto?: string
  host?: string
}

/** RFC 7239 `Forwarded`: comma-separated elements of `;`-separated pairs, values maybe quoted. */
export function parseForwarded(value: string): ForwardedElement[] {
  const elements: ForwardedElement[] = []
  // Split on commas and semicolons outside quotes (a quoted IPv6 node holds colons, never these).
  let element: ForwardedElement = {}
  let pair = ''
  let quoted = false
  const endPair = () => {
    const eq = pair.indexOf('=')
    if (eq > 0) {
      const key = pair.slice(0, eq).trim().toLowerCase()
      let raw = pair.slice(eq + 1).trim()
      if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
        raw = raw.slice(1, -1).replace(/\\(.)/g, '$1')
      }
      if (key === 'for' || key === 'proto' || key === 'host') element[key] = raw
    }
    pair = ''
  }
  for (const char of value) {
    if (char === '"') quoted = !quoted
    if (!quoted && (char === ';' || char === ',')) {
      endPair()
      if (char === ',') {
        elements.push(element)
        element = {}
      }
      continue
    }
    pair += char
  }
  endPair()
  elements.push(element)
  return elements
}

function asProto(value: string | undefined): 'http' | 'https' | undefined {
  const lower = value?.trim().toLowerCase()
  return lower === 'http' || lower === 'https' ? lower : undefined
}

/**
 * The client of a request. From an untrusted peer the headers are ignored outright. From a
 * trusted one, hops are walked right to left (each proxy appends the address it saw) past every
 * listed proxy; the first one that is not listed is the client, since everything to its left it
 * could have written itself. A hop that is not an address ("unknown", an obfuscated name) ends
 * the walk at the proxy that wrote it.
 *
 * `X-Forwarded-For` wins over `Forwarded` when both are present: nginx, Caddy, Traefik and
 * HAProxy append to X-Forwarded-For and pass a client's own `Forwarded` through untouched, so
 * preferring `Forwarded` would let anyone behind a stock proxy config pick their address.
 */
export function clientView(peer: string, headers: Headers, trust: ProxyTrust): ClientView {
  const address = normalizeAddress(peer)
  if (!trust.trusts(address)) return { address }
  const xff = headerValue(headers, 'x-forwarded-for')
  const forwardedHeader = headerValue(headers, 'forwarded')
  // A listed address that forwarded nothing is not acting as a proxy: a browser on the proxy's own
  // machine, say, whose Host must still pass the DNS-rebinding check. (A page cannot add these
  // headers to a WebSocket handshake, nor to a fetch without a CORS preflight this server refuses.)
  if (xff === undefined && forwardedHeader === undefined) return { address }
  let hops: (string | undefined)[] = []
  let site: ForwardedSite = {}
  if (xff !== undefined) {
    hops = xff
      .split(',')
      .filter((hop) => hop.trim() !== '')
      .map(nodeAddress)
    const proto = asProto(lastOfList(headerValue(headers, 'x-forwarded-proto')))
    const host = lastOfList(headerValue(headers, 'x-forwarded-host'))
    site = { ...(proto ? { proto } : {}), ...(host ? { host } : {}) }
  } else if (forwardedHeader !== undefined) {
    const elements = parseForwarded(forwardedHeader).filter((element) => element.for !== undefined)
    hops = elements.map((element) => nodeAddress(element.for ?? ''))
    // The element the nearest proxy appended describes the request it received.
    const nearest = elements.at(-1)
    const proto = asProto(nearest?.proto)
    site = { ...(proto ? { proto } : {}), ...(nearest?.host ? { host: nearest.host } : {}) }
  }
  let client = address
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]
    if (hop === undefined) break
    client = hop
    if (!trust.trusts(hop)) break
  }
  return { address: client, forwarded: site }
}
