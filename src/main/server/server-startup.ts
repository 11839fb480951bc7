/**
 * listen()'s startup sequence: the certificate, the stores, the hub, the transport, the port, then
 * what runs while the server listens (heartbeat, retention, the mDNS announcement). Each part is
 * written into the server's record as soon as it exists, so a close() at any point stops exactly
 * what was started (server-shutdown.ts).
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Logger } from 'pino'
import type { ConnectionLog } from './connection-log'
import { openFileStore } from './files/file-store'
import { startHeartbeat } from './heartbeat'
import { hasRetention, scheduleRetention } from './history-retention'
import { bindServer, STARTUP_ABORTED } from './http-transport'
import { lanUrls } from './lan-urls'
import { openModerationStore } from './moderation/moderation-store'
import { composeHub, startTransport } from './server-assembly'
import { announceServer } from './server-announcement'
import type { ServerConfig } from './server-options'
import { releaseUnbound } from './server-shutdown'
import type { StartedParts } from './started-parts'
import type { ChatServerOptions, ListenResult, ServerStats } from './server-types'
import type { SocketAdmission } from './socket-admission'
import type { Store } from './store'
import { openStore } from './store-opening'
import { loadTlsIdentity } from './tls-identity'
import type { ClientView } from './trusted-proxy'

export interface StartupDeps {
  config: ServerConfig
  options: ChatServerOptions
  logger: Logger
  log: ConnectionLog
  admission: SocketAdmission
  clientOf(req: IncomingMessage): ClientView
  stats(): ServerStats
  /** False once close() has begun: the start is abandoned, and upgrades are refused. */
  listening(): boolean
  /** The start failed: the server is closed (what the start opened is already released). */
  failed(): void
}

export async function startServer(parts: StartedParts, deps: StartupDeps): Promise<ListenResult> {
  const { config, options, logger } = deps
  let historyStore: Store
  try {
    // Before the store opens: a bad certificate should fail the start with nothing to undo.
    parts.identity = options.tls ? loadTlsIdentity(options.tls, config.dataDir) : undefined
    const opened = await openStore(config.dataDir, options.redis, logger)
    parts.redisStore = opened.redisStore
    parts.bus = opened.bus
    historyStore = opened.store
  } catch (error) {
    deps.failed()
    throw error
  }
  parts.store = historyStore
  const server = assemble(parts, historyStore, deps)
  try {
    await bindServer(server, config.port, config.host)
  } catch (error) {
    if (deps.listening()) {
      deps.failed()
      await releaseUnbound(parts)
    }
    throw error
  }
  // close() ran while the port was being bound: it has already torn everything else down.
  if (!deps.listening()) {
    server.close()
    throw new Error(STARTUP_ABORTED)
  }
  return goLive(parts, historyStore, server, deps)
}

/** The stores beside the history, the hub on them, and the transport, not yet bound. */
function assemble(parts: StartedParts, historyStore: Store, deps: StartupDeps): Server {
  const { config, options, log, logger } = deps
  const fileStore = openFileStore(config.dataDir, config.fileLimits)
  parts.files = fileStore
  const moderationStore = openModerationStore(config.dataDir)
  parts.moderation = moderationStore
  const hubParts = composeHub({
    config,
    options,
    log,
    logger,
    sockets: deps.admission.sockets,
    historyStore,
    fileStore,
    moderationStore,
    redisStore: parts.redisStore,
    bus: parts.bus
  })
  parts.hub = hubParts.chatHub
  parts.stalls = hubParts.loopStalls
  parts.faults = hubParts.injector
  parts.redisBroker = hubParts.redisBroker
  const transport = startTransport(hubParts, {
    config,
    options,
    logger,
    identity: parts.identity,
    admission: deps.admission,
    clientOf: deps.clientOf,
    stats: deps.stats,
    acceptingConnections: deps.listening
  })
  parts.wss = transport.socketServer
  parts.http = transport.server
  return transport.server
}

/** The port is bound: start what runs while listening, and say where the server is. */
function goLive(parts: StartedParts, historyStore: Store, server: Server, deps: StartupDeps): ListenResult {
  const { config, options, logger } = deps
  const { identity } = parts
  parts.startedAt = Date.now()
  parts.stopHeartbeat = startHeartbeat(deps.admission.sockets, config.pingIntervalMs, logger)
  parts.stopRetention = startRetention(historyStore, config, logger)
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const urls = lanUrls(port, config.host, identity ? 'wss' : 'ws')
  const fingerprint = identity?.fingerprint
  logger.info({ port, host: config.host, urls, serverName: config.name, fingerprint }, 'listening')
  parts.announcer = announceServer({
    options,
    config,
    port,
    tls: identity !== undefined,
    fingerprint,
    logger
  })
  return {
    port,
    host: config.host,
    urls,
    tls: identity !== undefined,
    ...(fingerprint ? { fingerprint } : {}),
    announced: parts.announcer !== undefined
  }
}

/** Schedules --history-days / --history-max; returns its stop, or undefined when nothing runs. */
function startRetention(store: Store, config: ServerConfig, logger: Logger): (() => void) | undefined {
  if (!hasRetention(config.retention)) return undefined
  const prune = store.prune?.bind(store)
  if (!prune) {
    logger.warn({ policy: config.retention }, 'retention is not applied to a history kept in Redis')
    return undefined
  }
  return scheduleRetention({
    policy: config.retention,
    intervalMs: config.retentionIntervalMs,
    step: prune,
    onPruned: (removed) =>
      logger.info({ ...removed, policy: config.retention }, 'retention deleted old history'),
    onError: (error) => logger.error({ err: error }, 'retention failed; it will try again next interval')
  })
}
