/**
 * Hosting from the app: starts and stops the embedded chat server (the same module the headless
 * CLI runs) and streams the host's view of every connection. No Electron here; the server
 * factory and everything else come in as dependencies, so tests run it under Node for real.
 */
import { randomBytes } from 'node:crypto'
import type {
  ActiveFaults,
  ChatServer,
  ChatServerOptions,
  ConnectionInfo,
  Fault,
  FaultResult
} from './server/index'
import {
  IpcError,
  hostOptionsSchema,
  type HostConnection,
  type HostOptions,
  type HostStatus
} from '../shared/ipc'
import { toErrorPayload } from './ipc-router'
import { createListenerSet } from './listener-set'

export interface HostServiceDeps {
  createServer: (options: ChatServerOptions) => ChatServer
  /** Where the hosted server keeps its SQLite file. */
  dataDir: string
  /** The built renderer, served at / so people on the LAN can join from a browser. */
  staticDir?: string
  /** Origins allowed on top of the server's defaults (which already include parley://app). */
  allowOrigins?: string[]
  logger?: ChatServerOptions['logger']
  /** How often the connection snapshot may be re-sent while counters change. */
  snapshotIntervalMs?: number
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

export interface HostService {
  start(options: HostOptions): Promise<HostStatus>
  /** Every client gets 1001, then the server closes. Safe to call when not hosting. */
  stop(): Promise<HostStatus>
  status(): HostStatus
  /** The fingerprint of the certificate the hosted server presents, while it runs with TLS. */
  ownFingerprint(): string | undefined
  connections(): HostConnection[]
  /** Fault injection on one connection of the running server; resolves with its lasting faults. */
  injectFault(connectionId: string, fault: Fault): ActiveFaults
  clearFaults(connectionId: string): ActiveFaults
  onStatusChanged(listener: (status: HostStatus) => void): () => void
  onConnections(listener: (connections: HostConnection[]) => void): () => void
  readonly isHosting: boolean
}

/** How many successive ports are tried when the requested one is taken. */
export const PORT_FALLBACK_TRIES = 20
/** Rows in one snapshot: every open connection is kept first, then the most recently closed. */
export const MAX_SNAPSHOT_ROWS = 500

const LOOPBACK = '127.0.0.1'
const WILDCARD = '0.0.0.0'

function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function faultAnswer(result: FaultResult | undefined): ActiveFaults {
  if (!result)
    throw new IpcError('not_hosting', 'Not hosting: start a server to inject faults into its connections.')
  if (!result.ok) throw new IpcError(result.error, result.message)
  return result.value.faults
}

/** Open connections (oldest first), then closed ones (latest close first), capped. */
export function orderConnections(rows: readonly ConnectionInfo[], max = MAX_SNAPSHOT_ROWS): HostConnection[] {
  const open = rows.filter((row) => row.state === 'open').sort((a, b) => a.openedAt - b.openedAt)
  const closed = rows
    .filter((row) => row.state === 'closed')
    .sort((a, b) => (b.closedAt ?? b.openedAt) - (a.closedAt ?? a.openedAt))
  return [...open, ...closed].slice(0, max).map((row) => ({ ...row }))
}

export function createHostService(deps: HostServiceDeps): HostService {
  const statusListeners = createListenerSet<HostStatus>()
  const connectionListeners = createListenerSet<HostConnection[]>()
  const snapshotIntervalMs = deps.snapshotIntervalMs ?? 200

  let status: HostStatus = { state: 'stopped' }
  let server: ChatServer | null = null
  let unsubscribe: (() => void) | null = null
  let lastSnapshot: HostConnection[] = []
  let snapshotTimer: NodeJS.Timeout | null = null
  /** The in-flight start or stop, so concurrent calls share it instead of racing. */
  let transition: Promise<HostStatus> | null = null

  function setStatus(next: HostStatus): HostStatus {
    status = next
    statusListeners.emit(next)
    return next
  }

  function publishSnapshot(): void {
    snapshotTimer = null
    if (!server) return
    lastSnapshot = orderConnections(server.connections())
    connectionListeners.emit(lastSnapshot)
  }

  function scheduleSnapshot(): void {
    // The server reports every open, hello and close, and counters every 500 ms per connection:
    // coalesce into one snapshot per interval so a busy server cannot flood the window.
    if (snapshotTimer) return
    snapshotTimer = setTimeout(publishSnapshot, snapshotIntervalMs)
    snapshotTimer.unref?.()
  }

  async function listenWithFallback(
    options: ReturnType<typeof hostOptionsSchema.parse>,
    adminToken: string
  ): Promise<{ server: ChatServer; port: number; urls: string[]; fingerprint?: string; announced: boolean }> {
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

  async function doStart(raw: HostOptions): Promise<HostStatus> {
    const options = hostOptionsSchema.parse(raw)
    setStatus({ state: 'starting', port: options.port })
    // The host is the server's owner: its window moderates with this token (never leaves the machine).
    const ownerToken = randomBytes(24).toString('base64url')
    try {
      const bound = await listenWithFallback(options, ownerToken)
      server = bound.server
      unsubscribe = server.onConnectionChange(scheduleSnapshot)
      lastSnapshot = []
      connectionListeners.emit(lastSnapshot)
      return setStatus({
        state: 'running',
        name: options.name,
        scope: options.scope,
        port: bound.port,
        requestedPort: options.port,
        urls: bound.urls,
        selfUrl: `${options.tls ? 'wss' : 'ws'}://${options.scope === 'lan' && deps.lanHost ? deps.lanHost : LOOPBACK}:${bound.port}/ws`,
        passwordProtected: Boolean(options.password),
        startedAt: Date.now(),
        tls: options.tls,
        ...(bound.fingerprint ? { fingerprint: bound.fingerprint } : {}),
        announced: bound.announced,
        ownerToken
      })
    } catch (error) {
      // Anything that is not already one of our errors is a failed start, said plainly.
      const failure =
        error instanceof IpcError
          ? error
          : new IpcError('host_failed', String((error as Error)?.message ?? error))
      const lastError = toErrorPayload(failure)
      setStatus({ state: 'stopped', lastError })
      throw failure
    }
  }

  async function doStop(): Promise<HostStatus> {
    const running = server
    if (!running) return status
    setStatus({ state: 'stopping' })
    try {
      await running.close()
    } finally {
      if (snapshotTimer) clearTimeout(snapshotTimer)
      snapshotTimer = null
      // The closed server still knows how every connection ended (1001 on a graceful stop):
      // keep that last picture so the Server tab shows it after the stop.
      lastSnapshot = orderConnections(running.connections())
      unsubscribe?.()
      unsubscribe = null
      server = null
      connectionListeners.emit(lastSnapshot)
    }
    return setStatus({ state: 'stopped' })
  }

  function serialize(run: () => Promise<HostStatus>): Promise<HostStatus> {
    const next = (transition ?? Promise.resolve(status))
      .catch(() => status)
      .then(run)
      .finally(() => {
        if (transition === next) transition = null
      })
    transition = next
    return next
  }

  return {
    start(options) {
      return serialize(() => {
        if (server) {
          return Promise.reject(
            new IpcError(
              'already_hosting',
              `Already hosting on port ${status.state === 'running' ? status.port : '?'}. Stop it first.`
            )
          )
        }
        return doStart(options)
      })
    },
    stop() {
      return serialize(doStop)
    },
    status: () => status,
    ownFingerprint: () => (status.state === 'running' ? status.fingerprint : undefined),
    connections: () => (server ? orderConnections(server.connections()) : lastSnapshot),
    injectFault(connectionId, fault) {
      return faultAnswer(server?.injectFault({ connectionId }, fault))
    },
    clearFaults(connectionId) {
      return faultAnswer(server?.clearFaults({ connectionId }))
    },
    onStatusChanged: (listener) => statusListeners.add(listener),
    onConnections: (listener) => connectionListeners.add(listener),
    get isHosting() {
      return server !== null
    }
  }
}
