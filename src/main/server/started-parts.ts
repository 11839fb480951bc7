/**
 * The record of what a server's listen() has started, part by part: server-startup.ts writes each
 * part into it as soon as the part exists, server-shutdown.ts stops what it finds there, and
 * server-stats.ts reads it.
 */
import type { Server } from 'node:http'
import type { WebSocketServer } from 'ws'
import type { ChatHub } from './hub/chat-hub'
import type { Connection } from './hub/connection'
import type { FaultInjector } from './fault-injection'
import type { FileStore } from './files/file-store'
import type { LoopStallMonitor } from './loop-stall'
import type { Announcer } from './mdns-announcer'
import type { ModerationStore } from './moderation/moderation-store'
import type { RedisBroker, RedisBus } from './redis-broker'
import type { RedisStore } from './redis-store'
import type { Store } from './store'
import type { TlsIdentity } from './tls-identity'

export interface StartedParts {
  /** 0 until the port is bound. */
  startedAt: number
  identity?: TlsIdentity
  store?: Store
  files?: FileStore
  moderation?: ModerationStore
  redisStore?: RedisStore
  redisBroker?: RedisBroker<Connection>
  bus?: RedisBus
  hub?: ChatHub
  faults?: FaultInjector
  stalls?: LoopStallMonitor
  http?: Server
  wss?: WebSocketServer
  stopHeartbeat?: () => void
  stopRetention?: () => void
  announcer?: Announcer
}
