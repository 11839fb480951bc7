/**
 * The one contract between Electron main and the renderer (through the preload's `window.parley`).
 *
 * Every invoke channel maps to the schema of its single argument and of its result; every event
 * channel maps to the schema of its payload. Main's handlers (src/main/ipc-router.ts) and the
 * preload's methods (src/preload/api.ts) derive their types from these maps, so a channel cannot
 * drift between the two sides. Channel names are `domain:action`; the preload turns
 * `host:start` into `parley.host.start()` and the event `host:status-changed` into
 * `parley.host.onStatusChanged(listener)`. No Electron import here: this file also runs in the
 * renderer and in Node tests.
 */
import { z } from 'zod'
import { activeFaultsSchema, faultSchema } from './fault-schema'
import { relayHeadersSchema } from './relay-headers'

// ---------------------------------------------------------------------------------------------
// Errors that cross the bridge

/** Machine codes for errors a handler can return; the message is the sentence a person reads. */
export const IPC_ERROR_CODES = [
  /** The sender is not the app's own window on the app's own URL. */
  'untrusted_sender',
  /** The argument did not match the channel's schema. */
  'invalid_payload',
  'unknown_channel',
  /** Every port tried was taken. */
  'port_in_use',
  /** The OS refused the port (below 1024 without privileges). */
  'port_denied',
  'already_hosting',
  'not_hosting',
  /** A fault aimed at a connection that is no longer open. */
  'no_such_connection',
  /** A relay request was refused: bad URL, too many relayed connections, frame too large. */
  'relay_refused',
  'host_failed',
  'settings_write_failed',
  'internal'
] as const
export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number]

export const ipcErrorPayloadSchema = z.object({
  name: z.string(),
  message: z.string(),
  code: z.string()
})
export type IpcErrorPayload = z.infer<typeof ipcErrorPayloadSchema>

/** What every handler returns over the wire: never a thrown error, so Electron's wrapper text never reaches the UI. */
export type IpcResponse<T> = { result: T } | { error: IpcErrorPayload }

/** An error with a machine code; thrown by main's services and rethrown by the preload. */
export class IpcError extends Error {
  override readonly name = 'IpcError'
  constructor(
    readonly code: IpcErrorCode | (string & {}),
    message: string
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------
// Hosting

export const hostScopeSchema = z.enum(['local', 'lan'])
/** `local` = this computer only (127.0.0.1); `lan` = every interface (0.0.0.0). */
export type HostScope = z.infer<typeof hostScopeSchema>

export const hostOptionsSchema = z.object({
  /** 0 picks a free port; taken ports move on to the next free one (see `portFallback`). */
  port: z.number().int().min(0).max(65535),
  name: z.string().trim().min(1, 'The server needs a name.').max(64),
  /** Empty or absent: no password. */
  password: z.string().max(1024).optional(),
  scope: hostScopeSchema,
  /** When the port is taken, try the next ones (up to 20) instead of failing. */
  portFallback: z.boolean().default(true),
  /** Serve wss:// and https:// with the app's self-signed certificate (kept across restarts). */
  tls: z.boolean().default(false),
  /** Announce the server on the LAN (mDNS `_parley._tcp`); only a "Local network" server is announced. */
  mdns: z.boolean().default(true)
})
export type HostOptions = z.input<typeof hostOptionsSchema>

export const DEFAULT_HOST_OPTIONS = {
  port: 8080,
  name: 'Parley',
  scope: 'local',
  portFallback: true
} as const satisfies HostOptions

export const hostStatusSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('stopped'),
    /** Why the last start failed or the server stopped unexpectedly, for the panel to show. */
    lastError: ipcErrorPayloadSchema.optional()
  }),
  z.object({ state: z.literal('starting'), port: z.number() }),
  z.object({
    state: z.literal('running'),
    name: z.string(),
    scope: hostScopeSchema,
    /** The port the server listens on; differs from `requestedPort` when that one was taken. */
    port: z.number(),
    requestedPort: z.number(),
    /** ws:// URLs the server can be reached at: loopback first, then every LAN interface. */
    urls: z.array(z.string()),
    /** The URL the host's own window joins with (loopback). */
    selfUrl: z.string(),
    passwordProtected: z.boolean(),
    startedAt: z.number(),
    tls: z.boolean(),
    /** SHA-256 of the certificate, lowercase hex: shown in the panel and put in the join link as `#fp=`. */
    fingerprint: z.string().optional(),
    /** Announced on the LAN with mDNS right now. */
    announced: z.boolean(),
    /** The admin token this run of the server was started with: the host window owns the server. */
    ownerToken: z.string().optional()
  }),
  z.object({ state: z.literal('stopping') })
])
export type HostStatus = z.infer<typeof hostStatusSchema>

/** One connection as the host sees it (mirrors the server's ConnectionInfo). */
export const hostConnectionSchema = z.object({
  id: z.string(),
  remoteAddress: z.string(),
  nick: z.string().optional(),
  userId: z.string().optional(),
  openedAt: z.number(),
  state: z.enum(['open', 'closed']),
  messagesIn: z.number(),
  messagesOut: z.number(),
  bufferedAmount: z.number(),
  closedAt: z.number().optional(),
  code: z.number().optional(),
  reason: z.string().optional(),
  wasClean: z.boolean().optional(),
  durationMs: z.number().optional(),
  /** Lasting faults injected into it (delay, pauseReads), for the connections tab. */
  faults: activeFaultsSchema.optional()
})
export type HostConnection = z.infer<typeof hostConnectionSchema>

// ---------------------------------------------------------------------------------------------
// LAN discovery (mDNS, browsed by main)

/** A server found on the LAN, as the connect screen lists it. */
export const discoveredServerSchema = z.object({
  /** Stable per announced instance (its DNS-SD name). */
  id: z.string(),
  name: z.string(),
  /** The address to connect to (IPv4 when the server has one). */
  host: z.string(),
  port: z.number().int(),
  /** What "Server address" gets on a click: ws://… or wss://…, with the announced path. */
  url: z.string(),
  tls: z.boolean(),
  passwordRequired: z.boolean(),
  /** The announced certificate fingerprint (TXT `fp`); connecting to it needs no question. */
  fingerprint: z.string().optional(),
  protocolVersion: z.string().optional()
})
export type DiscoveredServer = z.infer<typeof discoveredServerSchema>

// ---------------------------------------------------------------------------------------------
// Certificate trust (pinning self-signed servers)

/** A certificate the person accepted (or that matched its announcement), remembered per host. */
export const trustedCertificateSchema = z.object({
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  firstSeenAt: z.number(),
  /** Why it was trusted the first time: asked, announced over mDNS, or given in the join link. */
  via: z.enum(['asked', 'mdns', 'join-link', 'own-server'])
})
export type TrustedCertificate = z.infer<typeof trustedCertificateSchema>

// ---------------------------------------------------------------------------------------------
// The WebSocket client's relay: a connection made by main, so it can carry request headers

const relayIdSchema = z.string().min(1).max(64)
/** Text as is; binary as base64 (IPC payloads are validated JSON-like values). */
const relayPayloadSchema = z.object({ kind: z.enum(['text', 'binary']), data: z.string() })

export const relayOpenSchema = z.object({
  id: relayIdSchema,
  url: z.string().max(2048),
  protocols: z.array(z.string().max(200)).max(50),
  headers: relayHeadersSchema
})

export const relayEventSchema = z.discriminatedUnion('type', [
  z.object({ id: relayIdSchema, type: z.literal('open'), protocol: z.string(), extensions: z.string() }),
  z.object({
    id: relayIdSchema,
    type: z.literal('message'),
    payload: relayPayloadSchema,
    bufferedAmount: z.number()
  }),
  z.object({
    id: relayIdSchema,
    type: z.literal('close'),
    code: z.number(),
    reason: z.string(),
    wasClean: z.boolean()
  })
])
export type RelayEvent = z.infer<typeof relayEventSchema>

// ---------------------------------------------------------------------------------------------
// Settings

export const themeSchema = z.enum(['system', 'light', 'dark'])

export const recentServerSchema = z.object({
  url: z.string().max(2048),
  nick: z.string().max(64),
  lastUsedAt: z.number(),
  /** What is needed to resume: the session token and the last message id seen per room (and `@dm`). */
  lastSession: z
    .object({
      token: z.string().max(256),
      resume: z.record(z.string().max(40), z.number().int().nonnegative())
    })
    .optional()
})
export type RecentServer = z.infer<typeof recentServerSchema>

export const windowBoundsSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(20000),
  height: z.number().int().min(200).max(20000),
  maximized: z.boolean().default(false)
})
export type WindowBounds = z.infer<typeof windowBoundsSchema>

export const MAX_RECENT_SERVERS = 10

const settingsFields = {
  nickname: z.string().max(64),
  recentServers: z.array(recentServerSchema).max(MAX_RECENT_SERVERS),
  theme: themeSchema,
  notifications: z.boolean(),
  lastHost: hostOptionsSchema.omit({ password: true })
}

/** The settings file; every field has a default so an old or partial file still loads. */
export const settingsSchema = z.object({
  version: z.literal(1).default(1),
  nickname: settingsFields.nickname.default(''),
  recentServers: settingsFields.recentServers.default([]),
  theme: settingsFields.theme.default('system'),
  notifications: settingsFields.notifications.default(true),
  lastHost: settingsFields.lastHost.optional(),
  windowBounds: windowBoundsSchema.optional(),
  /** Main-only: pinned certificates by host (SSH's known_hosts); the renderer cannot patch it. */
  trustedCertificates: z.record(z.string().max(255), trustedCertificateSchema).default({})
})
export type Settings = z.infer<typeof settingsSchema>

/**
 * What the renderer may change; window bounds belong to main alone. Built from the fields
 * without their defaults: a partial of defaulted fields would fill absent keys with defaults
 * and so reset them.
 */
export const settingsPatchSchema = z.object(settingsFields).partial().strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

/** A problem met while loading the settings file: reported once, never a crash. */
export const settingsProblemSchema = z.object({
  code: z.enum(['settings_corrupt', 'settings_invalid', 'settings_unreadable']),
  message: z.string(),
  /** Where the bad file was copied before being replaced with defaults. */
  backupPath: z.string().optional()
})
export type SettingsProblem = z.infer<typeof settingsProblemSchema>

// ---------------------------------------------------------------------------------------------
// Notifications

export const notifyRequestSchema = z.object({
  kind: z.enum(['dm', 'mention']),
  title: z.string().min(1).max(200),
  body: z.string().max(1000),
  /** Where a click on the notification should take the person: a room name or a DM peer id. */
  target: z.object({ room: z.string().max(64) }).or(z.object({ dmUserId: z.string().max(64) }))
})
export type NotifyRequest = z.infer<typeof notifyRequestSchema>

export const notifyResultSchema = z.object({
  shown: z.boolean(),
  /** Why it was not shown: the window had focus, notifications are off, or the OS cannot show them. */
  skipped: z.enum(['focused', 'disabled', 'unsupported']).optional()
})

// ---------------------------------------------------------------------------------------------
// The channel maps

const none = z.undefined()

export const invokeChannels = {
  'host:start': { request: hostOptionsSchema, response: hostStatusSchema },
  'host:stop': { request: none, response: hostStatusSchema },
  'host:status': { request: none, response: hostStatusSchema },
  'host:list-connections': { request: none, response: z.array(hostConnectionSchema) },
  /** Fault injection on one connection of the hosted server (docs/protocol.md, "Fault injection"). */
  'host:inject-fault': {
    request: z.object({ connectionId: z.string().min(1).max(64), fault: faultSchema }),
    response: activeFaultsSchema
  },
  'host:clear-faults': {
    request: z.object({ connectionId: z.string().min(1).max(64) }),
    response: activeFaultsSchema
  },
  'relay:open': { request: relayOpenSchema, response: z.object({ id: relayIdSchema }) },
  'relay:send': {
    request: z.object({ id: relayIdSchema, payload: relayPayloadSchema }),
    response: z.object({ bufferedAmount: z.number() })
  },
  'relay:close': {
    request: z.object({
      id: relayIdSchema,
      code: z.number().int().optional(),
      reason: z.string().max(123).optional()
    }),
    response: z.object({ id: relayIdSchema })
  },
  'settings:get': {
    request: none,
    response: z.object({ settings: settingsSchema, problem: settingsProblemSchema.optional() })
  },
  'settings:set': { request: settingsPatchSchema, response: settingsSchema },
  'app:notify': { request: notifyRequestSchema, response: notifyResultSchema },
  'app:set-badge': {
    request: z.object({ count: z.number().int().min(0).max(1_000_000) }),
    response: z.object({ applied: z.boolean() })
  },
  'app:info': {
    request: none,
    response: z.object({ version: z.string(), platform: z.string(), electron: z.string().optional() })
  },
  /** Starts browsing the LAN (idempotent); answers what is known now, then `discovery:servers` follows. */
  'discovery:start': { request: none, response: z.array(discoveredServerSchema) },
  'discovery:stop': { request: none, response: z.object({ browsing: z.boolean() }) },
  /**
   * Before connecting to `host`: the fingerprint a join link carried (`#fp=`), so a certificate
   * that matches it is trusted without a question. Answers whether one is already remembered.
   */
  'trust:expect': {
    request: z.object({
      host: z.string().min(1).max(255),
      fingerprint: z.string().regex(/^[0-9a-fA-F:]{64,95}$/)
    }),
    response: z.object({ remembered: z.boolean() })
  }
} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>

export const eventChannels = {
  'host:status-changed': hostStatusSchema,
  /** A full snapshot, coalesced: open connections first, then the most recently closed. */
  'host:connections': z.array(hostConnectionSchema),
  /** A relayed connection opened, received a frame, or closed. */
  'relay:event': relayEventSchema,
  /** A notification was clicked: the renderer opens its target. */
  'app:notification-clicked': notifyRequestSchema.shape.target,
  /** Every server found on the LAN so far (a full list each time one appears, changes or goes). */
  'discovery:servers': z.array(discoveredServerSchema)
} as const satisfies Record<string, z.ZodType>

export type InvokeChannel = keyof typeof invokeChannels
export type EventChannel = keyof typeof eventChannels
/** What the renderer passes (defaults not yet applied). */
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>
/** What main's handler receives (validated, defaults applied). */
export type InvokeParsedRequest<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>
export type InvokeResponse<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]>

export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[]
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[]

export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.hasOwn(invokeChannels, channel)
}
export function isEventChannel(channel: string): channel is EventChannel {
  return Object.hasOwn(eventChannels, channel)
}

// ---------------------------------------------------------------------------------------------
// The shape of window.parley, derived from the maps

type KebabToCamel<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<KebabToCamel<Tail>>}`
  : S
type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never
type ActionOf<C extends string> = C extends `${string}:${infer A}` ? A : never

type InvokeMethod<C extends InvokeChannel> =
  undefined extends InvokeRequest<C>
    ? () => Promise<InvokeResponse<C>>
    : (request: InvokeRequest<C>) => Promise<InvokeResponse<C>>
type EventMethod<C extends EventChannel> = (listener: (payload: EventPayload<C>) => void) => () => void

type Domains = DomainOf<InvokeChannel> | DomainOf<EventChannel>

/** `window.parley`: one method per invoke channel, one `onX` per event channel, grouped by domain. */
export type ParleyApi = {
  readonly [D in Domains]: {
    readonly [C in Extract<InvokeChannel, `${D}:${string}`> as KebabToCamel<ActionOf<C>>]: InvokeMethod<C>
  } & {
    readonly [
      C in Extract<EventChannel, `${D}:${string}`> as `on${Capitalize<KebabToCamel<ActionOf<C>>>}`
    ]: EventMethod<C>
  }
}

/** `host:list-connections` → ['host', 'listConnections']; `host:status-changed` (event) → ['host', 'onStatusChanged']. */
export function methodPath(channel: string, kind: 'invoke' | 'event'): [string, string] {
  const [domain = '', action = ''] = channel.split(':')
  const camel = action.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  return [domain, kind === 'invoke' ? camel : `on${camel.charAt(0).toUpperCase()}${camel.slice(1)}`]
}
