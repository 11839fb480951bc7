/**
 * Announces a running server on the local network with DNS-SD over mDNS (`_parley._tcp`), so
 * the desktop app finds it without anyone typing an address. Built on bonjour-service: pure
 * TypeScript over multicast-dns, no install scripts, and it does probing, the announcement
 * schedule (1 s, 3 s, 9 s…), answers to queries and goodbye packets, which we would otherwise
 * write and get wrong ourselves.
 */
import { hostname, networkInterfaces } from 'node:os'
import { Bonjour, type Service } from 'bonjour-service'
import type { Logger } from 'pino'

/** DNS-SD service type (without the leading underscore and protocol, as bonjour-service wants it). */
export const SERVICE_TYPE = 'parley'
/** How often the machine's addresses are compared, so a new Wi-Fi address is announced. */
const ADDRESS_CHECK_MS = 3000
/** A DNS label is at most 63 bytes; the instance name is one label. */
const MAX_INSTANCE_NAME_BYTES = 63
/** A goodbye whose socket died never calls back: stop() does not wait longer than this. */
const GOODBYE_WAIT_MS = 1000

/** The TXT record, documented in docs/protocol.md ("Finding servers on the LAN"). */
export interface AnnouncedTxt {
  name: string
  /** SHA-256 of the TLS certificate, hex; only when TLS is on. */
  fp?: string
  tls: '1' | '0'
  auth: '1' | '0'
  path: string
  v: string
}

export interface AnnouncerOptions {
  /** The instance name people see (the server name, cut to one DNS label). */
  name: string
  port: number
  txt: AnnouncedTxt
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>
  addressCheckMs?: number
}

export interface Announcer {
  /** Sends the goodbye (TTL 0) for every record and closes the mDNS sockets. Safe to call twice. */
  stop(): Promise<void>
}

function instanceName(name: string): string {
  let cut = name
  while (Buffer.byteLength(cut) > MAX_INSTANCE_NAME_BYTES) cut = cut.slice(0, -1)
  return cut
}

/** The addresses the A/AAAA records carry, as one comparable string. */
function addressKey(): string {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal)
    .map((info) => info.address)
    .sort()
    .join(' ')
}

export function startAnnouncer(options: AnnouncerOptions): Announcer {
  const { logger } = options
  const bonjour = new Bonjour({}, (error: Error) => {
    // bonjour-service throws from its socket by default; a failing mDNS must not stop the chat.
    logger.warn({ err: error.message }, 'mDNS announcement failed')
  })
  const txt = Object.fromEntries(Object.entries(options.txt).filter(([, value]) => value !== undefined))
  const name = instanceName(options.name)
  let service: Service | undefined
  let addresses = addressKey()
  let stopping: Promise<void> | undefined

  function publish(probe: boolean): void {
    // SRV targets a .local name (RFC 6762), which the same answer's A records resolve.
    const host = `${hostname().replace(/\.local\.?$/i, '')}.local`
    service = bonjour.publish({ name, type: SERVICE_TYPE, port: options.port, txt, probe, host })
    service.on('up', () => logger.info({ name, port: options.port }, 'announced on the LAN (mDNS)'))
    service.on('error', (error: Error) => logger.warn({ err: error.message }, 'mDNS announcement failed'))
  }

  const watcher = setInterval(() => {
    const now = addressKey()
    if (now === addresses) return
    addresses = now
    logger.info({ addresses: now }, 'network addresses changed: announcing again')
    // The records carry the addresses: withdraw the old set, then announce the new one from the
    // start of the schedule. No probe: the name is already ours.
    const old = service
    old?.stop?.(() => publish(false))
    if (!old) publish(false)
  }, options.addressCheckMs ?? ADDRESS_CHECK_MS)
  watcher.unref()

  publish(true)

  return {
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        clearInterval(watcher)
        const giveUp = setTimeout(resolve, GOODBYE_WAIT_MS)
        bonjour.unpublishAll(() =>
          bonjour.destroy(() => {
            clearTimeout(giveUp)
            resolve()
          })
        )
      })
      return stopping
    }
  }
}
