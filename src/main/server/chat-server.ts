/**
 * Composes the chat server: the stores, the protocol hub, the HTTP transport and the sockets, with
 * a lifecycle (idle → listening → closing → closed) whose close() can be called any number of
 * times. Each part lives in its own module: options (server-options.ts), the history
 * (store-opening.ts), the hub and the HTTP surface (server-assembly.ts), the HTTP server and
 * upgrade routing (http-transport.ts), the sockets (socket-admission.ts, heartbeat.ts); this file
 * is the startup and shutdown sequence and the state they share.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import packageJson from '../../../package.json' with { type: 'json' }
import { CloseCode } from '../../shared/close-codes'
import { SUBPROTOCOL } from '../../shared/protocol'
import type { ChatHub } from './hub/chat-hub'
import type { Connection } from './hub/connection'
import { createConnectionLog } from './connection-log'
import type { FaultInjector } from './fault-injection'
import { startHeartbeat } from './heartbeat'
import { openFileStore, type FileStore } from './files/file-store'
import { hasRetention, scheduleRetention } from './history-retention'
import { bindServer, STARTUP_ABORTED } from './http-transport'
import type { RedisBroker, RedisBus } from './redis-broker'
import type { RedisStore } from './redis-store'
import type { Store } from './store'
import { openModerationStore, type ModerationStore } from './moderation/moderation-store'
import type {
  ChatServer,
  ChatServerOptions,
  FaultResult,
  ListenResult,
  ServerState,
  ServerStats
} from './server-types'
import { defaultLogger, resolveOptions, type ServerConfig } from './server-options'
import { lanUrls } from './lan-urls'
import type { LoopStallMonitor } from './loop-stall'
import { startAnnouncer, type Announcer } from './mdns-announcer'
import { createSocketAdmission } from './socket-admission'
import { composeHub, startTransport } from './server-assembly'
import { openStore } from './store-opening'
import { loadTlsIdentity, type TlsIdentity } from './tls-identity'
import { clientView, type ClientView } from './trusted-proxy'

const packageVersion = packageJson.version

/** How long close() waits for clients to answer the 1001 before cutting them off. */
const SHUTDOWN_GRACE_MS = 2000
/** The protocol version announced in mDNS TXT `v` (the `parley.vN` subprotocol's N). */
const PROTOCOL_VERSION = SUBPROTOCOL.replace(/^parley\.v/, '')
const NOT_LISTENING: FaultResult = {
  ok: false,
  status: 404,
  error: 'no_such_connection',
  message: 'The server is not running: it has no connections.'
}

export function createChatServer(options: ChatServerOptions): ChatServer {
  const config = resolveOptions(options)
  const logger = options.logger ?? defaultLogger()
  const log = createConnectionLog()
  const admission = createSocketAdmission({
    limits: config.limits,
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    logger,
    log,
    heldBytes: (ws) => faults?.heldBytes(ws) ?? 0
  })
  const sockets = admission.sockets
  let state: ServerState = 'idle'
  let startedAt = 0
  let store: Store | undefined
  let files: FileStore | undefined
  let moderation: ModerationStore | undefined
  let redisStore: RedisStore | undefined
  let redisBroker: RedisBroker<Connection> | undefined
  let bus: RedisBus | undefined
  let hub: ChatHub | undefined
  let faults: FaultInjector | undefined
  let http: Server | undefined
  let wss: WebSocketServer | undefined
  let stopHeartbeat: (() => void) | undefined
  let stalls: LoopStallMonitor | undefined
  let stopRetention: (() => void) | undefined
  let announcer: Announcer | undefined
  let identity: TlsIdentity | undefined
  let closing: Promise<void> | undefined

  function stats(): ServerStats {
    const users = hub?.userCounts() ?? { users: 0, online: 0 }
    const counts = store?.counts() ?? { messages: 0, dms: 0 }
    return {
      name: config.name,
      version: packageVersion,
      connections: sockets.size,
      users: users.users,
      onlineUsers: users.online,
      rooms: hub?.roomSummaries() ?? [],
      messagesStored: counts.messages,
      dmsStored: counts.dms,
      uptimeMs: startedAt === 0 ? 0 : Date.now() - startedAt,
      startedAt,
      ...(redisStore && redisBroker
        ? {
            cluster: {
              node: redisStore.nodeId,
              epoch: redisStore.epoch,
              redisConnected: redisStore.connected,
              onlineByNode: redisBroker.onlineByNode()
            }
          }
        : {})
    }
  }

  function clientOf(req: IncomingMessage): ClientView {
    return clientView(req.socket.remoteAddress ?? 'unknown', req.headers, config.proxyTrust)
  }

  async function listen(): Promise<ListenResult> {
    if (state !== 'idle') throw new Error(`listen() needs an idle server; this one is ${state}.`)
    state = 'listening'
    let historyStore: Store
    try {
      // Before the store opens: a bad certificate should fail the start with nothing to undo.
      identity = options.tls ? loadTlsIdentity(options.tls, config.dataDir) : undefined
      const opened = await openStore(config.dataDir, options.redis, logger)
      ;({ redisStore, bus } = opened)
      historyStore = opened.store
    } catch (error) {
      state = 'closed'
      throw error
    }
    store = historyStore
    const fileStore = openFileStore(config.dataDir, config.fileLimits)
    files = fileStore
    const moderationStore = openModerationStore(config.dataDir)
    moderation = moderationStore
    const parts = composeHub({
      config,
      options,
      log,
      logger,
      sockets,
      historyStore,
      fileStore,
      moderationStore,
      redisStore,
      bus
    })
    ;({ chatHub: hub, loopStalls: stalls, injector: faults, redisBroker } = parts)
    const transport = startTransport(parts, {
      config,
      options,
      logger,
      identity,
      admission,
      clientOf,
      stats,
      acceptingConnections: () => state === 'listening'
    })
    wss = transport.socketServer
    http = transport.server
    const server = transport.server
    try {
      await bindServer(server, config.port, config.host)
    } catch (error) {
      if ((state as ServerState) === 'listening') {
        state = 'closed'
        parts.chatHub.dispose()
        historyStore.close()
        parts.fileStore.close()
        parts.moderationStore.close()
        await bus?.close()
        parts.loopStalls.dispose()
      }
      throw error
    }
    // close() ran while the port was being bound: it has already torn everything else down.
    if ((state as ServerState) !== 'listening') {
      server.close()
      throw new Error(STARTUP_ABORTED)
    }
    startedAt = Date.now()
    stopHeartbeat = startHeartbeat(sockets, config.pingIntervalMs, logger)
    stopRetention = startRetention(historyStore, config, logger)
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const urls = lanUrls(port, config.host, identity ? 'wss' : 'ws')
    const fingerprint = identity?.fingerprint
    logger.info({ port, host: config.host, urls, serverName: config.name, fingerprint }, 'listening')
    announcer = announce(port, fingerprint)
    return {
      port,
      host: config.host,
      urls,
      tls: identity !== undefined,
      ...(fingerprint ? { fingerprint } : {}),
      announced: announcer !== undefined
    }
  }

  /** The mDNS announcement, unless it is off or the server is bound to loopback. */
  function announce(port: number, fingerprint: string | undefined): Announcer | undefined {
    // A server bound to loopback cannot be reached from the LAN: announcing it there would only
    // send people to an address that refuses them (and keeps tests on 127.0.0.1 off the network).
    if (!options.mdns || isLoopbackHost(config.host)) return undefined
    return startAnnouncer({
      name: config.name,
      port,
      txt: {
        name: config.name,
        ...(fingerprint ? { fp: fingerprint } : {}),
        tls: identity ? '1' : '0',
        auth: options.password !== undefined ? '1' : '0',
        path: '/ws',
        v: PROTOCOL_VERSION
      },
      logger
    })
  }

  async function shutdown(): Promise<void> {
    state = 'closing'
    stopHeartbeat?.()
    stopRetention?.()
    // Withdrawn first, so nobody is sent to a server that is going away.
    const goodbye = announcer?.stop()
    // Commit and acknowledge what is queued before saying goodbye, so no sender is left guessing.
    await store?.flush()
    const open = [...sockets]
    for (const socket of open) socket.closing = true
    const allClosed = Promise.all(
      open.map((socket) => new Promise<void>((resolve) => socket.ws.once('close', () => resolve())))
    )
    for (const socket of open) {
      hub?.detach(socket)
      socket.sentClose = { code: CloseCode.GoingAway, reason: 'The server is shutting down.' }
      socket.ws.close(CloseCode.GoingAway, socket.sentClose.reason)
    }
    let grace: NodeJS.Timeout | undefined
    await Promise.race([
      allClosed,
      new Promise<void>((resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)))
    ])
    clearTimeout(grace)
    for (const socket of sockets) socket.ws.terminate()
    wss?.close()
    if (http) {
      const server = http
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
    await goodbye
    faults?.dispose()
    hub?.dispose()
    store?.close()
    files?.close()
    moderation?.close()
    await bus?.close()
    log.dispose()
    stalls?.dispose()
    state = 'closed'
    logger.info('closed')
  }

  return {
    listen,
    close() {
      if (state === 'idle') {
        state = 'closed'
        return Promise.resolve()
      }
      closing ??= shutdown()
      return closing
    },
    get state() {
      return state
    },
    stats,
    injectFault(target, fault) {
      if (!faults) return NOT_LISTENING
      return 'userId' in target
        ? faults.forUser(target.userId, fault)
        : faults.forConnection(target.connectionId, fault)
    },
    clearFaults(target) {
      if (!faults) return NOT_LISTENING
      return 'userId' in target
        ? faults.clearUser(target.userId)
        : faults.clearConnection(target.connectionId)
    },
    connections: () => log.list(),
    onConnectionChange: (listener) => log.subscribe(listener)
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

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
