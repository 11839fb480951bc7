/**
 * The chat server: its lifecycle (idle → listening → closing → closed), whose close() can be
 * called any number of times, and the public face over the parts it runs. The startup sequence is
 * server-startup.ts, the shutdown sequence server-shutdown.ts; both work on one record of what was
 * started, so a close() during the start stops exactly what exists. Options are server-options.ts,
 * the sockets socket-admission.ts.
 */
import type { IncomingMessage } from 'node:http'
import type { Logger } from 'pino'
import { createConnectionLog } from './connection-log'
import {
  createHeapReclaim,
  memoryReducingCollection,
  RECLAIM_AFTER_CHURN,
  type HeapReclaim
} from './heap-reclaim'
import type { ChatServer, ChatServerOptions, FaultResult, ServerState } from './server-types'
import { defaultLogger, resolveOptions } from './server-options'
import { shutDown } from './server-shutdown'
import { startServer } from './server-startup'
import type { StartedParts } from './started-parts'
import { serverStats } from './server-stats'
import { createSocketAdmission } from './socket-admission'
import { clientView, type ClientView } from './trusted-proxy'

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
  const parts: StartedParts = { startedAt: 0 }
  const reclaim = heapReclaimFor(options, logger)
  const admission = createSocketAdmission({
    limits: config.limits,
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    logger,
    log,
    heldBytes: (ws) => parts.faults?.heldBytes(ws) ?? 0,
    ...(reclaim ? { churned: () => reclaim.churned(), received: () => reclaim.received() } : {})
  })
  let state: ServerState = 'idle'
  let closing: Promise<void> | undefined
  const stats = () => serverStats(config, admission.sockets.size, parts)
  const clientOf = (req: IncomingMessage): ClientView =>
    clientView(req.socket.remoteAddress ?? 'unknown', req.headers, config.proxyTrust)

  async function shutdown(): Promise<void> {
    state = 'closing'
    await shutDown(parts, { sockets: admission.sockets, log, logger })
    reclaim?.dispose()
    state = 'closed'
    logger.info('closed')
  }

  return {
    async listen() {
      if (state !== 'idle') throw new Error(`listen() needs an idle server; this one is ${state}.`)
      state = 'listening'
      return startServer(parts, {
        config,
        options,
        logger,
        log,
        admission,
        clientOf,
        stats,
        listening: () => state === 'listening',
        failed: () => {
          state = 'closed'
        }
      })
    },
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
      const { faults } = parts
      if (!faults) return NOT_LISTENING
      return 'userId' in target
        ? faults.forUser(target.userId, fault)
        : faults.forConnection(target.connectionId, fault)
    },
    clearFaults(target) {
      const { faults } = parts
      if (!faults) return NOT_LISTENING
      return 'userId' in target
        ? faults.clearUser(target.userId)
        : faults.clearConnection(target.connectionId)
    },
    connections: () => log.list(),
    onConnectionChange: (listener) => log.subscribe(listener)
  }
}

function heapReclaimFor(options: ChatServerOptions, logger: Logger): HeapReclaim | undefined {
  const afterChurn = options.reclaimAfterChurn ?? RECLAIM_AFTER_CHURN
  const collect = afterChurn > 0 ? memoryReducingCollection() : undefined
  return collect ? createHeapReclaim({ collect, logger, afterChurn }) : undefined
}
