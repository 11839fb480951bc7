/**
 * Composes the chat server: HTTP server, handshake gate, ws sockets, heartbeat, the protocol hub
 * and the history store, with a lifecycle (idle → listening → closing → closed) whose close()
 * can be called any number of times.
 */
import { randomBytes } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket as TcpSocket } from 'node:net'
import type { Duplex } from 'node:stream'
import { hostname } from 'node:os'
import { pino, type Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import packageJson from '../../../package.json' with { type: 'json' }
import { CloseCode } from '../../shared/close-codes'
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../shared/file-info'
import { DEFAULT_LIMITS, SUBPROTOCOL, type Limits } from '../../shared/protocol'
import { createChatHub, type ChatHub } from './hub/chat-hub'
import type { Connection } from './hub/connection'
import { createConnectionLog, type ConnectionLog } from './connection-log'
import { createFaultInjector, type FaultInjector, type FaultResult } from './fault-injection'
import { createGuessThrottle } from './guess-throttle'
import { openHistoryStore } from './history-store'
import { sharedMessage } from './hub/message-views'
import { createFileRoutes } from './files/file-routes'
import { openFileStore, type FileStore } from './files/file-store'
import { hasRetention, scheduleRetention, type RetentionPolicy } from './history-retention'
import {
  connectRedisBus,
  createRedisBroker,
  newNodeId,
  type RedisBroker,
  type RedisBus
} from './redis-broker'
import { openRedisStore, type RedisStore } from './redis-store'
import type { Store } from './store'
import { createHttpHandler } from './http-api'
import { createModerationRoutes } from './moderation/moderation-routes'
import { openModerationStore, type ModerationStore } from './moderation/moderation-store'
import type {
  ChatServer,
  ChatServerOptions,
  ConnectionInfo,
  ListenResult,
  ServerState,
  ServerStats
} from './server-types'
import { lanUrls } from './lan-urls'
import { createLoopStallMonitor, stallTolerant, type LoopStallMonitor } from './loop-stall'
import { startAnnouncer, type Announcer } from './mdns-announcer'
import { createOriginPolicy } from './origin-policy'
import { createPendingConnections } from './pending-connections'
import { createSecretCheck } from './password-check'
import { loadTlsIdentity, type TlsIdentity } from './tls-identity'
import { createTokenBucket } from './token-bucket'
import { clientView, parseProxyTrust, type ClientView, type ProxyTrust } from './trusted-proxy'
import { createUpgradeGate, refuseHandshake, type GateDecision } from './upgrade-gate'

const packageVersion = packageJson.version

/** How long close() waits for clients to answer the 1001 before cutting them off. */
const SHUTDOWN_GRACE_MS = 2000
const RETRY_AFTER_FULL_SECONDS = '10'
const REQUEST_TIMEOUT_MS = 8000
/**
 * Node's requestTimeout covers the body too: at 8 s a 25 MiB upload over a 20 Mbit/s Wi-Fi link
 * was cut with 408. Headers (every handshake) still have 8 s; a stalled upload is cut by the
 * upload route's own idle timer (files/file-routes.ts).
 */
const BODY_TIMEOUT_MS = 10 * 60_000
const STARTUP_ABORTED = 'The server was closed while it was starting.'
/** The protocol version announced in mDNS TXT `v` (the `parley.vN` subprotocol's N). */
const PROTOCOL_VERSION = SUBPROTOCOL.replace(/^parley\.v/, '')
const NOT_LISTENING: FaultResult = {
  ok: false,
  status: 404,
  error: 'no_such_connection',
  message: 'The server is not running: it has no connections.'
}

interface Socket extends Connection {
  isAlive: boolean
}

function resolveOptions(options: ChatServerOptions) {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  const fileLimits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...options.fileLimits }
  const resolved = {
    fileLimits,
    dataDir: options.dataDir,
    port: options.port ?? 8080,
    host: options.host ?? '0.0.0.0',
    name: options.name ?? hostname(),
    limits,
    maxConnections: options.maxConnections ?? 5000,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 100,
    maxRooms: options.maxRooms ?? 1000,
    maxPendingConnections: options.maxPendingConnections ?? 512,
    maxPendingConnectionsPerIp: options.maxPendingConnectionsPerIp ?? 128,
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
    retentionIntervalMs: options.retentionIntervalMs ?? 600_000
  }
  const problems: string[] = []
  let proxyTrust: ProxyTrust = parseProxyTrust(undefined)
  try {
    proxyTrust = parseProxyTrust(options.trustProxy)
  } catch (error) {
    problems.push((error as Error).message.replace(/\.$/, ''))
  }
  if (typeof resolved.dataDir !== 'string' || resolved.dataDir === '') problems.push('dataDir is required')
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push('port must be an integer from 0 to 65535')
  }
  for (const [key, value] of Object.entries({
    maxConnections: resolved.maxConnections,
    maxConnectionsPerIp: resolved.maxConnectionsPerIp,
    maxRooms: resolved.maxRooms,
    maxPendingConnections: resolved.maxPendingConnections,
    maxPendingConnectionsPerIp: resolved.maxPendingConnectionsPerIp,
    pingIntervalMs: resolved.pingIntervalMs,
    retentionIntervalMs: resolved.retentionIntervalMs,
    ...limits,
    ...fileLimits
  })) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      problems.push(`${key} must be a positive number`)
    }
  }
  for (const [key, value] of Object.entries({
    historyDays: options.historyDays,
    historyMax: options.historyMax
  })) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      problems.push(`${key} must be a positive integer`)
  }
  const retention: RetentionPolicy = {
    ...(options.historyDays !== undefined ? { maxAgeDays: options.historyDays } : {}),
    ...(options.historyMax !== undefined ? { maxPerRoom: options.historyMax } : {})
  }
  if (options.password === '') problems.push('password must not be empty (leave it out for no password)')
  if (options.adminToken !== undefined && options.adminToken.length < 8) {
    problems.push('adminToken must be at least 8 characters')
  }
  if (options.tls && 'certFile' in options.tls && (!options.tls.certFile || !options.tls.keyFile)) {
    problems.push('tls needs both certFile and keyFile')
  }
  if (problems.length > 0) throw new TypeError(`Invalid chat server options: ${problems.join('; ')}.`)
  return { ...resolved, proxyTrust, retention }
}

function defaultLogger(): Logger {
  return pino({ name: 'parley-server', level: process.env.VITEST ? 'silent' : 'info' })
}

export function createChatServer(options: ChatServerOptions): ChatServer {
  const config = resolveOptions(options)
  const logger = options.logger ?? defaultLogger()
  const log = createConnectionLog()
  const sockets = new Set<Socket>()
  const perIp = new Map<string, number>()
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
  let heartbeat: NodeJS.Timeout | undefined
  let stalls: LoopStallMonitor | undefined
  let stopRetention: (() => void) | undefined
  let announcer: Announcer | undefined
  let identity: TlsIdentity | undefined
  let closing: Promise<void> | undefined
  let nextId = 0
  const idPrefix = randomBytes(3).toString('hex')

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

  function capacityRefusal(ip: string): GateDecision | null {
    if (sockets.size >= config.maxConnections) {
      return {
        ok: false,
        status: 503,
        message: `The server is full (${config.maxConnections} connections).`,
        headers: { 'Retry-After': RETRY_AFTER_FULL_SECONDS }
      }
    }
    if ((perIp.get(ip) ?? 0) >= config.maxConnectionsPerIp) {
      return {
        ok: false,
        status: 503,
        message: `Too many connections from ${ip} (${config.maxConnectionsPerIp}).`,
        headers: { 'Retry-After': RETRY_AFTER_FULL_SECONDS }
      }
    }
    return null
  }

  function clientOf(req: IncomingMessage): ClientView {
    return clientView(req.socket.remoteAddress ?? 'unknown', req.headers, config.proxyTrust)
  }

  function accept(
    ws: WebSocket,
    client: ClientView,
    peer: string,
    chatHub: ChatHub,
    loopStalls: LoopStallMonitor
  ): void {
    const ip = client.address
    const info: ConnectionInfo = {
      id: `${idPrefix}-${(++nextId).toString(36)}`,
      remoteAddress: ip,
      openedAt: Date.now(),
      state: 'open',
      messagesIn: 0,
      messagesOut: 0,
      bufferedAmount: 0
    }
    const socket: Socket = {
      ws,
      info,
      bucket: stallTolerant(
        createTokenBucket(config.limits.rateBurst, config.limits.ratePerSecond),
        config.limits.ratePerSecond,
        loopStalls
      ),
      session: undefined,
      closing: false,
      sentClose: undefined,
      helloTimer: undefined,
      isAlive: true,
      // Frames a pauseReads fault holds count as unsent, as a stalled reader's would.
      bufferedAmount: () => ws.bufferedAmount + (faults?.heldBytes(ws) ?? 0)
    }
    sockets.add(socket)
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1)
    logger.info(
      {
        conn: info.id,
        ip,
        // The proxy it came through, when the address came from its forwarding headers.
        ...(client.forwarded !== undefined ? { via: peer } : {}),
        protocol: ws.protocol || undefined
      },
      'connection opened'
    )
    log.add(socket)

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        chatHub.close(socket, CloseCode.UnsupportedData, 'Parley v1 accepts text frames only.')
        return
      }
      chatHub.received(socket, (data as Buffer).toString('utf8'))
    })
    ws.on('pong', () => {
      socket.isAlive = true
    })
    ws.on('error', (error) => {
      // ws closes the socket itself (1009 too big, 1007 bad UTF-8, 1002 bad framing) right after this.
      logger.debug({ conn: info.id, err: error.message }, 'socket error')
    })
    ws.on('close', (code, reasonBuffer) => {
      chatHub.detach(socket)
      sockets.delete(socket)
      const left = (perIp.get(ip) ?? 1) - 1
      if (left === 0) perIp.delete(ip)
      else perIp.set(ip, left)
      const internal = ws as WebSocket & { _closeFrameReceived?: boolean; _closeFrameSent?: boolean }
      info.state = 'closed'
      info.closedAt = Date.now()
      info.durationMs = info.closedAt - info.openedAt
      // When the server closed it, its code is the cause, whatever (if anything) the peer echoed.
      info.code = socket.sentClose?.code ?? code
      info.reason = socket.sentClose?.reason ?? reasonBuffer.toString('utf8')
      info.wasClean = Boolean(internal._closeFrameReceived && internal._closeFrameSent)
      logger.info(
        {
          conn: info.id,
          ip,
          nick: info.nick,
          code: info.code,
          reason: info.reason,
          // What the peer's side reported (an echo, or 1006 when it was cut off), when that differs.
          ...(code !== info.code ? { peerCode: code } : {}),
          durationMs: info.durationMs
        },
        'connection closed'
      )
      log.closed(socket)
    })
    chatHub.opened(socket)
  }

  function beat(): void {
    for (const socket of sockets) {
      if (!socket.isAlive) {
        logger.info({ conn: socket.info.id, nick: socket.info.nick }, 'peer missed a pong: terminating')
        socket.ws.terminate()
        continue
      }
      socket.isAlive = false
      socket.ws.ping()
    }
  }

  async function listen(): Promise<ListenResult> {
    if (state !== 'idle') throw new Error(`listen() needs an idle server; this one is ${state}.`)
    state = 'listening'
    try {
      // Before the store opens: a bad certificate should fail the start with nothing to undo.
      identity = options.tls ? loadTlsIdentity(options.tls, config.dataDir) : undefined
    } catch (error) {
      state = 'closed'
      throw error
    }
    let historyStore: Store
    try {
      historyStore = options.redis ? await openCluster(options.redis) : openLocalStore()
    } catch (error) {
      state = 'closed'
      redisStore?.close()
      throw error
    }
    store = historyStore
    const fileStore = openFileStore(config.dataDir, config.fileLimits)
    files = fileStore
    const moderationStore = openModerationStore(config.dataDir)
    moderation = moderationStore
    // One throttle for both secrets: a guesser's allowance is per address, not per door.
    const guessThrottle = createGuessThrottle()
    // The hub reports a hello through changed(): that is when a user's lasting faults apply.
    const hubLog: ConnectionLog = {
      ...log,
      changed(connection) {
        log.changed(connection)
        faults?.identified(connection as Socket)
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
    hub = chatHub
    const loopStalls = createLoopStallMonitor()
    stalls = loopStalls
    const injector = createFaultInjector({
      connections: () => sockets,
      close: (socket, code, reason) => chatHub.close(socket as Socket, code, reason),
      changed: (socket) => log.changed(socket as Socket)
    })
    faults = injector
    // Another node's message, stored and published by Redis in id order: to this node's members.
    redisStore?.onRemoteAppend((event) => {
      if (event.kind !== 'message') return
      redisBroker?.addRoom(event.message.room)
      redisBroker?.publishLocal(event.message.room, sharedMessage(event.message))
    })
    const socketServer = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: config.limits.maxPayloadBytes,
      // Compression costs CPU per member per message and breaks frame-once fan-out; chat text is small.
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
    })
    wss = socketServer
    const originPolicy = createOriginPolicy(options.allowOrigins, [hostname()])
    const gate = createUpgradeGate({
      checkOrigin: originPolicy.checkOrigin,
      capacityRefusal,
      acceptingConnections: () => state === 'listening'
    })
    const checkAdminToken = options.adminToken !== undefined ? createSecretCheck(options.adminToken) : null
    // Slowloris: a request's headers (a WebSocket handshake's included) must be complete within 8 s.
    // Node checks every connectionsCheckingInterval, so a trickled handshake is cut within 10 s.
    const httpOptions = {
      headersTimeout: REQUEST_TIMEOUT_MS,
      requestTimeout: BODY_TIMEOUT_MS,
      connectionsCheckingInterval: 1000
    }
    const handler = createHttpHandler({
      hub: chatHub,
      stats,
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
    // With TLS, https and wss share the port; a plain ws:// or http:// peer fails the TLS
    // handshake and never reaches the chat.
    const server: Server = identity
      ? createHttpsServer({ ...httpOptions, cert: identity.cert, key: identity.key }, handler)
      : createHttpServer(httpOptions, handler)
    if (identity) {
      server.on('tlsClientError', (error: Error, socket: Duplex) => {
        logger.debug(
          { ip: (socket as { remoteAddress?: string }).remoteAddress, err: error.message },
          'TLS handshake failed'
        )
        socket.destroy()
      })
    }
    http = server
    const pending = createPendingConnections({
      maxTotal: config.maxPendingConnections,
      maxPerAddress: config.maxPendingConnectionsPerIp,
      exempt: (address) => config.proxyTrust.trusts(address)
    })
    // With TLS the socket the upgrade hands over is the TLS one, so that is the one counted (a TLS
    // handshake in progress is bounded by Node's own handshake timeout instead).
    server.on(identity ? 'secureConnection' : 'connection', (socket: TcpSocket) => {
      if (!pending.admit(socket)) logger.debug({ ip: socket.remoteAddress }, 'too many connections opening')
    })
    server.on('upgrade', (req, socket, head) => {
      pending.upgraded(socket as TcpSocket)
      // Not an arrow: a closure here would share this scope's context, which holds `req`, and
      // keep every connection's IncomingMessage alive for as long as its socket (~1 KB each).
      socket.on('error', destroyOnError)
      const client = clientOf(req)
      const peer = req.socket.remoteAddress ?? 'unknown'
      const decision = gate(req, client)
      if (!decision.ok) {
        logger.info(
          {
            ip: client.address,
            ...(client.forwarded !== undefined ? { via: peer } : {}),
            status: decision.status,
            url: req.url
          },
          decision.message
        )
        refuseHandshake(socket, decision)
        return
      }
      socketServer.handleUpgrade(req, socket, head, (ws) => accept(ws, client, peer, chatHub, loopStalls))
    })
    try {
      await new Promise<void>((resolve, reject) => {
        const closedFirst = () => reject(new Error(STARTUP_ABORTED))
        server.once('error', reject)
        server.once('close', closedFirst)
        server.listen(config.port, config.host, () => {
          server.off('error', reject)
          server.off('close', closedFirst)
          resolve()
        })
      })
    } catch (error) {
      if ((state as ServerState) === 'listening') {
        state = 'closed'
        chatHub.dispose()
        historyStore.close()
        fileStore.close()
        moderationStore.close()
        await bus?.close()
        loopStalls.dispose()
      }
      throw error
    }
    // close() ran while the port was being bound: it has already torn everything else down.
    if ((state as ServerState) !== 'listening') {
      server.close()
      throw new Error(STARTUP_ABORTED)
    }
    startedAt = Date.now()
    heartbeat = setInterval(beat, config.pingIntervalMs)
    heartbeat.unref()
    const prune = historyStore.prune?.bind(historyStore)
    if (hasRetention(config.retention) && !prune) {
      logger.warn({ policy: config.retention }, 'retention is not applied to a history kept in Redis')
    }
    if (hasRetention(config.retention) && prune) {
      stopRetention = scheduleRetention({
        policy: config.retention,
        intervalMs: config.retentionIntervalMs,
        step: prune,
        onPruned: (removed) =>
          logger.info({ ...removed, policy: config.retention }, 'retention deleted old history'),
        onError: (error) => logger.error({ err: error }, 'retention failed; it will try again next interval')
      })
    }
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const urls = lanUrls(port, config.host, identity ? 'wss' : 'ws')
    const fingerprint = identity?.fingerprint
    logger.info({ port, host: config.host, urls, serverName: config.name, fingerprint }, 'listening')
    // A server bound to loopback cannot be reached from the LAN: announcing it there would only
    // send people to an address that refuses them (and keeps tests on 127.0.0.1 off the network).
    if (options.mdns && !isLoopbackHost(config.host)) {
      announcer = startAnnouncer({
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
    return {
      port,
      host: config.host,
      urls,
      tls: identity !== undefined,
      ...(fingerprint ? { fingerprint } : {}),
      announced: announcer !== undefined
    }
  }

  function openLocalStore(): Store {
    return openHistoryStore(config.dataDir, {
      onCallbackError: (error) => logger.error({ err: error }, 'delivering a stored message failed')
    })
  }

  async function openCluster(redis: NonNullable<ChatServerOptions['redis']>): Promise<Store> {
    const nodeId = newNodeId()
    const prefix = redis.prefix ?? 'parley:'
    const onError = (error: Error) => logger.warn({ err: error }, 'redis')
    redisStore = await openRedisStore({ url: redis.url, prefix, nodeId, onError })
    bus = await connectRedisBus(redis.url, prefix, nodeId)
    logger.info({ node: nodeId, epoch: redisStore.epoch }, 'joined the cluster on redis')
    return redisStore
  }

  async function shutdown(): Promise<void> {
    state = 'closing'
    if (heartbeat !== undefined) clearInterval(heartbeat)
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

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

function destroyOnError(this: Duplex): void {
  this.destroy()
}
