/** What a listening server says about itself on the LAN (mDNS TXT, docs/protocol.md), and when. */
import type { Logger } from 'pino'
import { SUBPROTOCOL } from '../../shared/protocol'
import { startAnnouncer, type Announcer } from './mdns-announcer'
import type { ServerConfig } from './server-options'
import type { ChatServerOptions } from './server-types'

/** The protocol version announced in mDNS TXT `v` (the `parley.vN` subprotocol's N). */
const PROTOCOL_VERSION = SUBPROTOCOL.replace(/^parley\.v/, '')

export interface AnnouncementDeps {
  options: Pick<ChatServerOptions, 'mdns' | 'password'>
  config: Pick<ServerConfig, 'name' | 'host'>
  port: number
  tls: boolean
  fingerprint: string | undefined
  logger: Logger
}

/** The mDNS announcement, unless it is off or the server is bound to loopback. */
export function announceServer(deps: AnnouncementDeps): Announcer | undefined {
  const { options, config, fingerprint } = deps
  // A server bound to loopback cannot be reached from the LAN: announcing it there would only
  // send people to an address that refuses them (and keeps tests on 127.0.0.1 off the network).
  if (!options.mdns || isLoopbackHost(config.host)) return undefined
  return startAnnouncer({
    name: config.name,
    port: deps.port,
    txt: {
      name: config.name,
      ...(fingerprint ? { fp: fingerprint } : {}),
      tls: deps.tls ? '1' : '0',
      auth: options.password !== undefined ? '1' : '0',
      path: '/ws',
      v: PROTOCOL_VERSION
    },
    logger: deps.logger
  })
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
