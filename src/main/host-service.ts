/**
 * Hosting from the app: starts and stops the embedded chat server (the same module the headless
 * CLI runs) and streams the host's view of every connection. No Electron here; the server
 * factory and everything else come in as dependencies, so tests run it under Node for real.
 * The port search is port-fallback.ts, the connection stream connection-snapshots.ts; this
 * module is the host's status and the order of its starts and stops.
 */
import { randomBytes } from 'node:crypto'
import type { ActiveFaults, ChatServer, Fault, FaultResult } from './server/index'
import {
  IpcError,
  hostOptionsSchema,
  type HostConnection,
  type HostOptions,
  type HostStatus
} from '../shared/ipc'
import { createConnectionSnapshots } from './connection-snapshots'
import { toErrorPayload } from './ipc-router'
import { createListenerSet } from './listener-set'
import {
  listenWithFallback,
  LOOPBACK,
  type BoundServer,
  type HostedServerDeps,
  type ParsedHostOptions
} from './port-fallback'

export interface HostServiceDeps extends HostedServerDeps {
  /** How often the connection snapshot may be re-sent while counters change. */
  snapshotIntervalMs?: number
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

export function createHostService(deps: HostServiceDeps): HostService {
  const statusListeners = createListenerSet<HostStatus>()
  const snapshots = createConnectionSnapshots(deps.snapshotIntervalMs ?? 200)
  let status: HostStatus = { state: 'stopped' }
  let server: ChatServer | null = null
  /** The in-flight start or stop, so concurrent calls share it instead of racing. */
  let transition: Promise<HostStatus> | null = null

  function setStatus(next: HostStatus): HostStatus {
    status = next
    statusListeners.emit(next)
    return next
  }

  async function doStart(raw: HostOptions): Promise<HostStatus> {
    const options = hostOptionsSchema.parse(raw)
    setStatus({ state: 'starting', port: options.port })
    // The host is the server's owner: its window moderates with this token (never leaves the machine).
    const ownerToken = randomBytes(24).toString('base64url')
    try {
      const bound = await listenWithFallback(deps, options, ownerToken)
      server = bound.server
      snapshots.follow(server)
      return setStatus(runningStatus(options, bound, deps.lanHost, ownerToken))
    } catch (error) {
      // Anything that is not already one of our errors is a failed start, said plainly.
      const failure =
        error instanceof IpcError
          ? error
          : new IpcError('host_failed', String((error as Error)?.message ?? error))
      setStatus({ state: 'stopped', lastError: toErrorPayload(failure) })
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
      server = null
      snapshots.unfollow()
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
    connections: () => snapshots.current(),
    injectFault(connectionId, fault) {
      return faultAnswer(server?.injectFault({ connectionId }, fault))
    },
    clearFaults(connectionId) {
      return faultAnswer(server?.clearFaults({ connectionId }))
    },
    onStatusChanged: (listener) => statusListeners.add(listener),
    onConnections: (listener) => snapshots.onSnapshot(listener),
    get isHosting() {
      return server !== null
    }
  }
}

function runningStatus(
  options: ParsedHostOptions,
  bound: BoundServer,
  lanHost: string | undefined,
  ownerToken: string
): HostStatus {
  const selfHost = options.scope === 'lan' && lanHost ? lanHost : LOOPBACK
  return {
    state: 'running',
    name: options.name,
    scope: options.scope,
    port: bound.port,
    requestedPort: options.port,
    urls: bound.urls,
    selfUrl: `${options.tls ? 'wss' : 'ws'}://${selfHost}:${bound.port}/ws`,
    passwordProtected: Boolean(options.password),
    startedAt: Date.now(),
    tls: options.tls,
    ...(bound.fingerprint ? { fingerprint: bound.fingerprint } : {}),
    announced: bound.announced,
    ownerToken
  }
}

function faultAnswer(result: FaultResult | undefined): ActiveFaults {
  if (!result)
    throw new IpcError('not_hosting', 'Not hosting: start a server to inject faults into its connections.')
  if (!result.ok) throw new IpcError(result.error, result.message)
  return result.value.faults
}
