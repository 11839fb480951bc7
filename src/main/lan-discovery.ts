/**
 * Finds Parley servers on the local network (DNS-SD `_parley._tcp` over mDNS) for the connect
 * screen. Runs in main because a page cannot send multicast. No Electron here: the mDNS side is
 * a `ServiceSource` passed in (bonjour-service in the app, a scripted one in the bridge harness),
 * so the bookkeeping, the snapshot events and the fingerprints pinning relies on are tested
 * under Node.
 */
import { isIPv4 } from 'node:net'
import { Bonjour, type Service } from 'bonjour-service'
import type { DiscoveredServer } from '../shared/ipc'
import { createListenerSet } from './listener-set'

/** What an mDNS browser reports about one service instance. */
export interface FoundService {
  /** Unique per instance on the network (its DNS-SD full name). */
  fqdn: string
  name: string
  port: number
  /** A/AAAA records of its host, when the answer carried them. */
  addresses: string[]
  /** Where the answer came from: the address to use when there were no A records. */
  sourceAddress?: string
  txt: Record<string, string>
}

export interface ServiceEvents {
  up(service: FoundService): void
  down(fqdn: string): void
}

/** Starts browsing; returns the function that stops it. */
export type ServiceSource = (events: ServiceEvents) => () => void

export interface DiscoveryService {
  /** Starts browsing (no-op when already browsing) and returns what is known now. */
  start(): DiscoveredServer[]
  /** Stops browsing and forgets every server. Safe when not browsing. */
  stop(): void
  list(): DiscoveredServer[]
  readonly browsing: boolean
  /** Fires with the whole list whenever a server appears, changes or goes. */
  onServers(listener: (servers: DiscoveredServer[]) => void): () => void
  /** Fingerprints announced (TXT `fp`) by servers at this address: what pinning accepts unasked. */
  fingerprintsFor(host: string): string[]
}

const TYPE = 'parley'
/** mDNS answers are cached for their TTL; re-asking keeps late joiners and changes visible. */
const REQUERY_MS = 10_000

function txtStrings(txt: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (txt === null || typeof txt !== 'object') return out
  for (const [key, value] of Object.entries(txt as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value
    else if (Buffer.isBuffer(value)) out[key] = value.toString('utf8')
    else if (value === true) out[key] = ''
  }
  return out
}

/** The real browser: bonjour-service (see src/main/server/mdns-announcer.ts for why that library). */
export function bonjourSource(onError: (error: Error) => void = () => undefined): ServiceSource {
  return (events) => {
    const bonjour = new Bonjour({}, onError)
    const toFound = (service: Service): FoundService => ({
      fqdn: service.fqdn,
      name: service.name,
      port: service.port,
      addresses: service.addresses ?? [],
      sourceAddress: service.referer?.address,
      txt: txtStrings(service.txt)
    })
    const browser = bonjour.find({ type: TYPE })
    browser.on('up', (service) => events.up(toFound(service)))
    browser.on('srv-update', (service) => events.up(toFound(service)))
    browser.on('txt-update', (service) => events.up(toFound(service)))
    browser.on('down', (service) => events.down(service.fqdn))
    const timer = setInterval(() => {
      browser.expire()
      browser.update()
    }, REQUERY_MS)
    timer.unref()
    return () => {
      clearInterval(timer)
      browser.stop()
      bonjour.destroy()
    }
  }
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/** One found service as the connect screen shows it, or null when it is not a usable Parley server. */
export function toDiscoveredServer(found: FoundService): DiscoveredServer | null {
  if (!Number.isInteger(found.port) || found.port < 1 || found.port > 65535) return null
  // IPv4 first: an IPv6 link-local address needs a zone id no URL can carry.
  const candidates = [
    ...found.addresses.filter((a) => isIPv4(a)),
    ...found.addresses.filter((a) => !isIPv4(a))
  ]
  const address = candidates.find((a) => !a.startsWith('fe80')) ?? found.sourceAddress
  if (!address) return null
  const tls = found.txt.tls === '1'
  const rawPath = found.txt.path ?? '/ws'
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`
  const fingerprint = /^[0-9a-f]{64}$/i.test(found.txt.fp ?? '') ? found.txt.fp!.toLowerCase() : undefined
  return {
    id: found.fqdn,
    name: (found.txt.name || found.name).slice(0, 64),
    host: address,
    port: found.port,
    url: `${tls ? 'wss' : 'ws'}://${formatHost(address)}:${found.port}${path}`,
    tls,
    passwordRequired: found.txt.auth === '1',
    ...(fingerprint ? { fingerprint } : {}),
    ...(found.txt.v ? { protocolVersion: found.txt.v } : {})
  }
}

export function createDiscoveryService(options: { source: ServiceSource }): DiscoveryService {
  const listeners = createListenerSet<DiscoveredServer[]>()
  const servers = new Map<string, DiscoveredServer>()
  let stopSource: (() => void) | null = null

  const list = () => [...servers.values()].sort((a, b) => a.name.localeCompare(b.name))
  const publish = () => listeners.emit(list())

  return {
    start() {
      if (!stopSource) {
        stopSource = options.source({
          up(found) {
            const server = toDiscoveredServer(found)
            if (!server) return
            const before = servers.get(server.id)
            if (before && JSON.stringify(before) === JSON.stringify(server)) return
            servers.set(server.id, server)
            publish()
          },
          down(fqdn) {
            if (servers.delete(fqdn)) publish()
          }
        })
      }
      return list()
    },
    stop() {
      stopSource?.()
      stopSource = null
      if (servers.size > 0) {
        servers.clear()
        publish()
      }
    },
    list,
    get browsing() {
      return stopSource !== null
    },
    onServers: (listener) => listeners.add(listener),
    fingerprintsFor(host) {
      const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
      return [...servers.values()]
        .filter((server) => server.host.toLowerCase() === bare && server.fingerprint)
        .map((server) => server.fingerprint!)
    }
  }
}
