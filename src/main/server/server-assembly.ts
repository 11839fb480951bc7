/**
 * The parts listen() assembles, each from explicit dependencies rather than the server's closure:
 * the hub and what it stands on (guess throttle, loop stalls, faults), then the WebSocket server,
 * the HTTP routes and the HTTP(S) transport that carries both.
 */
import type { IncomingMessage, Server } from 'node:http'
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import { WebSocketServer } from 'ws'
import packageJson from '../../../package.json' with { type: 'json' }
import { SUBPROTOCOL } from '../../shared/protocol'
import { createChatHub, type ChatHub } from './hub/chat-hub'
import type { Connection } from './hub/connection'
import type { ConnectionLog } from './connection-log'
import { createFaultInjector, type FaultInjector } from './fault-injection'
import { createGuessThrottle, type GuessThrottle } from './guess-throttle'
import { sharedMessage } from './hub/message-views'
import { createFileRoutes } from './files/file-routes'
import type { FileStore } from './files/file-store'
import { createHttpTransport } from './http-transport'
import { createRedisBroker, type RedisBroker, type RedisBus } from './redis-broker'
import type { RedisStore } from './redis-store'
import type { Store } from './store'
import { createHttpHandler } from './http-api'
import { createModerationRoutes } from './moderation/moderation-routes'
import type { ModerationStore } from './moderation/moderation-store'
import type { ChatServerOptions, ServerStats } from './server-types'
import type { ServerConfig } from './server-options'
import { createLoopStallMonitor, type LoopStallMonitor } from './loop-stall'
import { createOriginPolicy } from './origin-policy'
import { createSecretCheck } from './password-check'
import type { Socket, SocketAdmission } from './socket-admission'
import type { TlsIdentity } from './tls-identity'
import type { ClientView } from './trusted-proxy'
import { createUpgradeGate } from './upgrade-gate'

const packageVersion = packageJson.version

/** What listen() composes before the transport: the hub and what it stands on. */
export interface HubParts {
  chatHub: ChatHub
  fileStore: FileStore
  moderationStore: ModerationStore
  guessThrottle: GuessThrottle
  loopStalls: LoopStallMonitor
  injector: FaultInjector
  redisBroker: RedisBroker<Connection> | undefined
}

export interface HubDeps {
  config: ServerConfig
  options: ChatServerOptions
  log: ConnectionLog
  logger: Logger
  sockets: ReadonlySet<Socket>
  historyStore: Store
  fileStore: FileStore
  moderationStore: ModerationStore
  redisStore: RedisStore | undefined
  bus: RedisBus | undefined
}

/** The hub and what it stands on: the guess throttle, the loop-stall monitor, faults. */
export function composeHub(deps: HubDeps): HubParts {
  const { config, options, log, logger, sockets, historyStore, fileStore, moderationStore } = deps
  const { redisStore, bus } = deps
  let redisBroker: RedisBroker<Connection> | undefined
  // One throttle for both secrets: a guesser's allowance is per address, not per door.
  const guessThrottle = createGuessThrottle()
  // The hub reports a hello through changed(): that is when a user's lasting faults apply.
  const hubLog: ConnectionLog = {
    ...log,
    changed(connection) {
      log.changed(connection)
      injector.identified(connection as Socket)
    }
  }
  const chatHub = createChatHub({
    store: historyStore,
    ...(bus ? { broker: (deliver) => (redisBroker = createRedisBroker(deliver, bus!)) } : {}),
    guessThrottle,
    maxDroppedSessionsPerIp: options.maxDroppedSessionsPerIp,
    emptyRoomExpiryMs: options.emptyRoomExpiryMs,
    limits: config.limits,
    log: hubLog,
    logger,
    serverName: config.name,
    serverVersion: packageVersion,
    maxRooms: config.maxRooms,
    maxDroppedSessions: options.maxDroppedSessions,
    checkPassword: options.password !== undefined ? createSecretCheck(options.password) : null,
    files: fileStore,
    bans: moderationStore,
    moderators: moderationStore
  })
  const loopStalls = createLoopStallMonitor()
  const injector = createFaultInjector({
    connections: () => sockets,
    close: (socket, code, reason) => chatHub.close(socket as Socket, code, reason),
    changed: (socket) => log.changed(socket as Socket)
  })
  // Another node's message, stored and published by Redis in id order: to this node's members.
  redisStore?.onRemoteAppend((event) => {
    if (event.kind !== 'message') return
    redisBroker?.addRoom(event.message.room)
    redisBroker?.publishLocal(event.message.room, sharedMessage(event.message))
  })
  const broker = redisBroker as RedisBroker<Connection> | undefined
  return { chatHub, fileStore, moderationStore, guessThrottle, loopStalls, injector, redisBroker: broker }
}

export interface TransportDeps {
  config: ServerConfig
  options: ChatServerOptions
  logger: Logger
  identity: TlsIdentity | undefined
  admission: SocketAdmission
  clientOf(req: IncomingMessage): ClientView
  stats(): ServerStats
  acceptingConnections(): boolean
}

/** The WebSocket server, the HTTP routes and the HTTP(S) server that carries both. */
export function startTransport(
  parts: HubParts,
  deps: TransportDeps
): { server: Server; socketServer: WebSocketServer } {
  const { chatHub, fileStore, moderationStore, guessThrottle, loopStalls, injector } = parts
  const { config, options, logger, identity, admission, clientOf } = deps
  const socketServer = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.limits.maxPayloadBytes,
    // Compression costs CPU per member per message and breaks frame-once fan-out; chat text is small.
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
  })
  const originPolicy = createOriginPolicy(options.allowOrigins, [hostname()])
  const checkAdminToken = options.adminToken !== undefined ? createSecretCheck(options.adminToken) : null
  const handler = createHttpHandler({
    hub: chatHub,
    stats: deps.stats,
    checkAdminToken,
    guessThrottle,
    staticDir: options.staticDir,
    maxBodyBytes: config.limits.maxPayloadBytes,
    checkHost: originPolicy.checkHost,
    clientOf,
    faults: injector,
    routes: [
      createFileRoutes({
        files: fileStore,
        userForToken: chatHub.moderation.userForToken,
        checkOrigin: originPolicy.checkOrigin
      }),
      createModerationRoutes({
        hub: chatHub.moderation,
        store: moderationStore,
        checkAdminToken,
        checkOrigin: originPolicy.checkOrigin,
        maxBodyBytes: config.limits.maxPayloadBytes
      })
    ]
  })
  const server = createHttpTransport({
    identity,
    handler,
    logger,
    maxPendingConnections: config.maxPendingConnections,
    maxPendingConnectionsPerIp: config.maxPendingConnectionsPerIp,
    proxyTrust: config.proxyTrust,
    clientOf,
    gate: createUpgradeGate({
      checkOrigin: originPolicy.checkOrigin,
      capacityRefusal: admission.capacityRefusal,
      acceptingConnections: deps.acceptingConnections
    }),
    socketServer,
    accept: (ws, client, peer) => admission.accept(ws, client, peer, chatHub, loopStalls)
  })
  return { server, socketServer }
}
