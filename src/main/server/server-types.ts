/**
 * The types of the server's public API, in their own module so that internal files can import
 * them without going through index.ts (which re-exports them, and would form an import circle).
 */
import type { Logger } from 'pino'
import type { FileLimits } from '../../shared/file-info'
import type { ActiveFaults, Fault } from '../../shared/fault-schema'
import type { Limits } from '../../shared/protocol'
import type { TlsSource } from './tls-identity'

export interface ChatServerOptions {
  /** The SQLite file lives here (created if missing). */
  dataDir: string
  /** Default 8080; 0 picks a free port. */
  port?: number
  /** Default '0.0.0.0' (every interface). */
  host?: string
  /** Shown to clients in `welcome.server.name`; default: the machine's hostname. */
  name?: string
  /** When set, every hello must carry it (else close 4401). */
  password?: string
  /** Extra allowed `Origin`s on top of the defaults; `'*'` allows every origin. */
  allowOrigins?: string[]
  /** Enables the admin HTTP API (`Authorization: Bearer <token>`). */
  adminToken?: string
  /** When set, this directory (the built renderer) is served at / as the web client, with index.html fallback. */
  staticDir?: string
  limits?: Partial<Limits>
  /** Upload size, per-user quota and total disk budget for files (defaults: DEFAULT_FILE_LIMITS). */
  fileLimits?: Partial<FileLimits>
  /** Open sockets in total before the handshake answers 503. Default 5000. */
  maxConnections?: number
  /** Open sockets per remote address before the handshake answers 503. Default 100. */
  maxConnectionsPerIp?: number
  /**
   * TCP connections that are not WebSockets (yet) — handshakes under way, HTTP requests, idle
   * keep-alives — in total and per remote address; a connection beyond either is answered 503 at
   * once and closed. Defaults 512 and 128 (an admin script may post 100 at once).
   */
  maxPendingConnections?: number
  maxPendingConnectionsPerIp?: number
  /**
   * Reverse proxies (addresses or CIDRs, IPv4 or IPv6). Only for a peer in this list, the client's
   * address comes from `X-Forwarded-For` / `Forwarded` (the right-most hop not in the list) and the
   * page's scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`. Default: none.
   */
  trustProxy?: string[]
  /** Retention: room messages and DMs older than this many days are deleted. Default: kept forever. */
  historyDays?: number
  /** Retention: each room keeps only its newest this many messages. Default: all. */
  historyMax?: number
  /** How often retention runs (it also runs once at listen). Default 600000 (10 minutes). */
  retentionIntervalMs?: number
  /** Rooms the server keeps (created by joining); a join that would create one more gets `invalid_room`. Default 1000. */
  maxRooms?: number
  /**
   * Dropped (resumable) sessions kept at most: beyond it the oldest dropped one ends early, so a
   * churn of hellos cannot grow memory, timers and rows without bound. Default 10,000.
   */
  maxDroppedSessions?: number
  /**
   * Dropped sessions kept per remote address, applied before the global cap: one address's churn
   * of hellos evicts only its own. Default 1,000 (never more than `maxDroppedSessions`).
   */
  maxDroppedSessionsPerIp?: number
  /**
   * A room with no members and no resumable session in it leaves the room list (and the room cap)
   * after this long; its history stays on disk and comes back when someone joins it. `general`
   * never expires. Default 3,600,000 (1 h).
   */
  emptyRoomExpiryMs?: number
  /**
   * After this many connections opened or closed, the server asks V8 for a memory-reducing
   * collection once it is quiet (heap-reclaim.ts); 0 never does. Default 500.
   */
  reclaimAfterChurn?: number
  /** Heartbeat: a ping every interval; a peer that missed the previous pong is terminated. Default 15000. */
  pingIntervalMs?: number
  /** Default: pino at info (silent under vitest). */
  logger?: Logger
  /**
   * Serve https:// and wss:// (not http/ws) with this certificate: `{ selfSigned: true }` makes
   * one on first use and keeps it in `<dataDir>/tls/`, so its fingerprint survives restarts.
   */
  tls?: TlsSource
  /**
   * Announce the server on the LAN with mDNS (`_parley._tcp`, see docs/protocol.md). Off by
   * default, so tests and embedders never multicast unasked; the CLI and the host panel turn it on.
   * Never on a loopback `host` (127.x, ::1, localhost): nobody on the LAN could connect to it.
   */
  mdns?: boolean
  /**
   * Every server started with the same Redis is one chat (history, sessions, nicks, presence in
   * Redis; see README.md in this folder). Without it: SQLite in `dataDir`, one process.
   */
  redis?: { url: string; /** Key prefix, default 'parley:'. */ prefix?: string }
}

export interface ListenResult {
  port: number
  host: string
  /** Every ws:// (wss:// with TLS) URL the server can be reached at. */
  urls: string[]
  tls: boolean
  /** SHA-256 of the certificate presented, lowercase hex; only with TLS. */
  fingerprint?: string
  /** Announced on the LAN with mDNS (asked for, and not bound to loopback). */
  announced: boolean
}

export type ServerState = 'idle' | 'listening' | 'closing' | 'closed'

export interface ChatServer {
  /** Resolves once the port is bound (and, with `mdns`, the announcement has begun). */
  listen(): Promise<ListenResult>
  /** Every client gets 1001, then the write queue is flushed and the DB closed. Safe to call twice. */
  close(): Promise<void>
  readonly state: ServerState
  /** The same object GET /api/stats returns. */
  stats(): ServerStats
  /**
   * Injects a fault into a user's open connections (lasting faults follow the user onto new ones)
   * or into one connection; docs/protocol.md describes each fault.
   */
  injectFault(target: FaultTargetRef, fault: Fault): FaultResult
  /** Lifts the lasting faults (delay, pauseReads): held and delayed frames go out in order. */
  clearFaults(target: FaultTargetRef): FaultResult
  /** Open connections and the most recently closed ones (the last 200). */
  connections(): ConnectionInfo[]
  /**
   * Fires on open, on hello (nick known), on close, and at most every 500 ms per connection
   * whose counters changed. Returns the unsubscribe function.
   */
  onConnectionChange(listener: (info: ConnectionInfo) => void): () => void
}

export type FaultTargetRef = { userId: string } | { connectionId: string }
/** What a fault injection or clearing did (fault-injection.ts), as the admin API answers it. */
export type FaultResult =
  | { ok: true; value: { connections: string[]; faults: ActiveFaults } }
  | { ok: false; status: number; error: 'no_such_user' | 'no_such_connection'; message: string }
export type { ActiveFaults, Fault }

export interface ConnectionInfo {
  id: string
  remoteAddress: string
  nick?: string
  userId?: string
  openedAt: number
  state: 'open' | 'closed'
  messagesIn: number
  messagesOut: number
  bufferedAmount: number
  closedAt?: number
  code?: number
  reason?: string
  wasClean?: boolean
  durationMs?: number
  /** Lasting faults injected into this connection (fault-injection.ts). */
  faults?: ActiveFaults
}

export interface ServerStats {
  name: string
  version: string
  /** Open WebSocket connections (including ones that have not said hello yet). */
  connections: number
  /** Users with a session: connected, or dropped but still resumable. */
  users: number
  /** Users connected right now. */
  onlineUsers: number
  rooms: { name: string; members: number }[]
  /** With `redis`: this node's id and the users connected on each node of the cluster. */
  cluster?: { node: string; epoch: string; redisConnected: boolean; onlineByNode: Record<string, number> }
  /** Room messages stored in SQLite (all time). */
  messagesStored: number
  /** Direct messages stored in SQLite (all time). */
  dmsStored: number
  uptimeMs: number
  startedAt: number
}
