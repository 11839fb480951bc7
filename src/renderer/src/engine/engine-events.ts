import type { CloseCodeInfo } from '../../../shared/close-codes'
import type { ServerMessage, User } from '../../../shared/protocol'
import type { OutboxItem } from './outbox'

/**
 * The browser's four readyStates plus the app's own states between connections:
 * `authenticating` (socket open, waiting for welcome), `reconnecting` (a retry is scheduled),
 * `offline` (the OS says there is no network) and `idle` (never connected / stopped on purpose).
 */
export type EngineState =
  'idle' | 'connecting' | 'authenticating' | 'open' | 'closing' | 'closed' | 'reconnecting' | 'offline'

export interface TimelineEntry {
  at: number
  state: EngineState
  /** WebSocket.readyState at the time, or null when there is no socket. */
  readyState: number | null
  note?: string
}

export interface HandshakeFacts {
  url: string
  /** The negotiated subprotocol; empty when the server picked none. */
  protocol: string
  extensions: string
  openedAt: number
}

export interface CloseRow extends Pick<CloseCodeInfo, 'name' | 'meaning' | 'retry'> {
  at: number
  code: number
  reason: string
  wasClean: boolean
  /** Who ended it: the server sent a close frame, this client closed, or nobody did (the link died). */
  by: 'server' | 'client' | 'network'
  /** How long the socket had been open; 0 when it never opened. */
  connectedMs: number
}

export interface ReconnectAttempt {
  at: number
  attempt: number
  delayMs: number
  /** When the attempt will start. */
  dueAt: number
  afterCode: number
}

export interface RttSample {
  at: number
  ms: number
}

export interface FrameRecord {
  seq: number
  at: number
  dir: 'in' | 'out'
  /** UTF-8 bytes of the text frame. */
  size: number
  /** The protocol `type`, or `invalid` for a frame that did not parse. */
  type: string
  data: string
}

/** Why the engine stopped trying on its own. */
export interface StopInfo {
  close: CloseRow
  /** `ask`: retrying would fail the same way; `stop`: the close was intended; `first-connect`: never got in. */
  reason: 'ask' | 'stop' | 'first-connect'
}

export type EngineEvent =
  | { type: 'state'; entry: TimelineEntry }
  | { type: 'handshake'; facts: HandshakeFacts }
  | { type: 'welcome'; user: User; session: string; resumed: boolean }
  | { type: 'server'; message: ServerMessage }
  | { type: 'close'; row: CloseRow }
  | { type: 'reconnect'; attempt: ReconnectAttempt }
  | { type: 'rtt'; sample: RttSample }
  | { type: 'buffered'; bytes: number }
  | { type: 'frames' }
  | { type: 'outbox'; items: OutboxItem[] }
  | { type: 'stopped'; info: StopInfo }
  | { type: 'protocol-error'; message: string }

export type EngineListener = (event: EngineEvent) => void
