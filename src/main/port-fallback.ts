/**
 * Starting the hosted server on the port the person chose, or the next free one: a server per
 * attempt (a taken port fails its listen()), and the failures said as IpcErrors the panel can
 * show (port denied, all ports taken, any other start failure).
 */
import type { ChatServer, ChatServerOptions } from './server/index'
import { IpcError, type hostOptionsSchema } from '../shared/ipc'

/** How many successive ports are tried when the requested one is taken. */
export const PORT_FALLBACK_TRIES = 20

export const LOOPBACK = '127.0.0.1'
const WILDCARD = '0.0.0.0'

export type ParsedHostOptions = ReturnType<typeof hostOptionsSchema.parse>

/** What every hosted server is started with, whatever the person chose in the panel. */
export interface HostedServerDeps {
  createServer: (options: ChatServerOptions) => ChatServer
  /** Where the hosted server keeps its SQLite file. */
  dataDir: string
  /** The built renderer, served at / so people on the LAN can join from a browser. */
  staticDir?: string
  /** Origins allowed on top of the server's defaults (which already include parley://app). */
  allowOrigins?: string[]
  logger?: ChatServerOptions['logger']
  /**
   * May a "Local network" server announce itself with mDNS (when the person left the switch on)?
   * The app says yes; tests and the bridge harness leave it off so nothing multicasts.
   */
  allowMdns?: boolean
  /**
   * Where a "Local network" server binds. Default 0.0.0.0 (every interface); the bridge harness
   * keeps it on a loopback address, as every test server must.
   */
  lanHost?: string
}

export interface BoundServer {
  server: ChatServer
  port: number
  urls: string[]
  fingerprint?: string
  announced: boolean
}

export async function listenWithFallback(
  deps: HostedServerDeps,
  options: ParsedHostOptions,
  adminToken: string
): Promise<BoundServer> {
  const host = options.scope === 'lan' ? (deps.lanHost ?? WILDCARD) : LOOPBACK
  const tries = options.portFallback && options.port !== 0 ? PORT_FALLBACK_TRIES : 1
  // Only a server others can reach is announced (the server also refuses for loopback).
  const announce = Boolean(deps.allowMdns) && options.mdns && options.scope === 'lan'
  for (let attempt = 0; attempt < tries; attempt++) {
    const port = options.port === 0 ? 0 : options.port + attempt
    if (port > 65535) break
    const candidate = deps.createServer({
      dataDir: deps.dataDir,
      port,
      host,
      name: options.name,
      password: options.password || undefined,
      allowOrigins: deps.allowOrigins,
      staticDir: deps.staticDir,
      adminToken,
      logger: deps.logger,
      ...(options.tls ? { tls: { selfSigned: true as const } } : {}),
      mdns: announce
    })
    try {
      const bound = await candidate.listen()
      return {
        server: candidate,
        port: bound.port,
        urls: bound.urls,
        ...(bound.fingerprint ? { fingerprint: bound.fingerprint } : {}),
        announced: bound.announced
      }
    } catch (error) {
      await candidate.close().catch(() => undefined)
      const code = errorCodeOf(error)
      if (code === 'EADDRINUSE') continue
      if (code === 'EACCES') {
        throw new IpcError(
          'port_denied',
          `The system does not allow port ${port} for this user. Ports below 1024 need administrator rights; try 8080.`
        )
      }
      throw new IpcError('host_failed', `The server could not start: ${(error as Error)?.message ?? error}`)
    }
  }
  throw new IpcError(
    'port_in_use',
    tries === 1
      ? `Port ${options.port} is already in use by another program. Choose another port, or allow the next free one.`
      : `Ports ${options.port}–${Math.min(options.port + tries - 1, 65535)} are all in use. Choose another port.`
  )
}

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
