/**
 * One connection as the WebSocket client's screen sees it: its saved settings (what persists)
 * and the facts its session reported (what does not).
 */
import type { SavedConnection } from './ws-client-storage'
import type { WsCloseRow, WsHandshake, WsState, WsTimelineEntry } from './ws-session'

export interface WsConnectionView extends SavedConnection {
  state: WsState
  timeline: WsTimelineEntry[]
  handshake: WsHandshake | null
  closes: WsCloseRow[]
  bufferedAmount: number
  /** Bumped when frames arrive; the frames live in the session's ring buffer. */
  framesVersion: number
  nextAttemptAt: number | null
  /** Sent frames of an imported capture still to replay; 0 when no replay runs. */
  replayLeft: number
}

export type ConnectionSettings = Pick<
  SavedConnection,
  'name' | 'url' | 'protocols' | 'autoReconnect' | 'headers'
>

function newId(): string {
  // Not crypto.randomUUID: it exists only in secure contexts, and a LAN http:// page is not one.
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
}

/** The `n`th connection of the list, with defaults for what `settings` leaves out. */
export function newSavedConnection(settings: Partial<ConnectionSettings>, n: number): SavedConnection {
  return {
    id: newId(),
    name: settings.name ?? `Connection ${n}`,
    url: settings.url ?? 'ws://localhost:8080/',
    protocols: settings.protocols ?? '',
    autoReconnect: settings.autoReconnect ?? false,
    headers: settings.headers ?? ''
  }
}

/** A saved connection before its session has said anything. */
export function connectionView(saved: SavedConnection): WsConnectionView {
  return {
    ...saved,
    state: 'idle',
    timeline: [],
    handshake: null,
    closes: [],
    bufferedAmount: 0,
    framesVersion: 0,
    nextAttemptAt: null,
    replayLeft: 0
  }
}

/** The part of a connection that persists: its settings, never its session's facts. */
export function savedConnection({
  id,
  name,
  url,
  protocols,
  autoReconnect,
  headers
}: SavedConnection): SavedConnection {
  return { id, name, url, protocols, autoReconnect, headers }
}
