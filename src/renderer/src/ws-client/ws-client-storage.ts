/**
 * What the WebSocket client keeps across reloads: its named connections (name, URL, subprotocols,
 * reconnect choice) and saved messages. One JSON entry in localStorage, in the web client and in
 * the desktop app alike (its renderer page has a storage origin of its own). Frames are not kept:
 * a capture is exported on purpose, not left lying in storage.
 */
import { z } from 'zod'
import type { KeyValueStorage } from '../store/preferences-local'

export const WS_CLIENT_KEY = 'parley.wsClient'

export const payloadModes = ['text', 'hex', 'base64'] as const
export type PayloadMode = (typeof payloadModes)[number]

const savedConnectionSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(200),
  url: z.string().max(2000),
  protocols: z.string().max(2000),
  autoReconnect: z.boolean(),
  /** "Name: value" lines; only the desktop app can send them (the relay). */
  headers: z.string().max(20_000).default('')
})
const templateSchema = z.object({
  name: z.string().min(1).max(200),
  mode: z.enum(payloadModes),
  body: z.string().max(1_000_000)
})
const storedSchema = z.object({
  connections: z.array(savedConnectionSchema).max(100),
  templates: z.array(templateSchema).max(500)
})

export type SavedConnection = z.infer<typeof savedConnectionSchema>
export type Template = z.infer<typeof templateSchema>
export type StoredWsClient = z.infer<typeof storedSchema>

export const EMPTY_WS_CLIENT: StoredWsClient = { connections: [], templates: [] }

export function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function loadWsClient(storage: KeyValueStorage | null): StoredWsClient {
  try {
    const raw = storage?.getItem(WS_CLIENT_KEY)
    if (!raw) return EMPTY_WS_CLIENT
    const parsed = storedSchema.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : EMPTY_WS_CLIENT
  } catch {
    // Blocked or corrupt storage costs the saved list, never the client.
    return EMPTY_WS_CLIENT
  }
}

export function saveWsClient(storage: KeyValueStorage | null, value: StoredWsClient): void {
  try {
    storage?.setItem(WS_CLIENT_KEY, JSON.stringify(value))
  } catch {
    // Quota or privacy mode: the list lives on for this page.
  }
}
