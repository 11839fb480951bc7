import type { StateCreator } from 'zustand'
import type { FileInfo } from '../../../shared/file-info'
import type { ChatMessage, DirectMessage, RoomSummary, User } from '../../../shared/protocol'
import type { ConnectionEngine } from '../engine/connection-engine'
import type {
  CloseRow,
  EngineState,
  HandshakeFacts,
  ReconnectAttempt,
  RttSample,
  TimelineEntry
} from '../engine/engine-events'
import type { OutboxItem } from '../engine/outbox'
import type { ChannelKey, ChannelLog } from './channel-log'
import type { ConnectProblem } from './connect-problem'
import type { MessageRef } from './message-frames'

export interface ConnectOptions {
  url: string
  nick: string
  password?: string
}

export interface ConnectionSlice {
  engine: ConnectionEngine | null
  status: EngineState
  /** When the scheduled reconnect starts, while `status` is reconnecting. */
  nextAttemptAt: number | null
  url: string | null
  nick: string | null
  me: User | null
  /** Welcomed at least once on this engine: the chat screen is shown from then on. */
  admitted: boolean
  /** Why the engine stopped trying by itself (wrong password, nickname taken, replaced…). */
  problem: ConnectProblem | null
  server: { name: string; version: string } | null
  connect(options: ConnectOptions): void
  disconnect(): void
  /** Tries again now after a stop or during a backoff wait. */
  reconnectNow(): void
}

export interface DmPeer {
  id: string
  nick: string
}

export interface RoomsSlice {
  joinedRooms: string[]
  serverRooms: RoomSummary[]
  dms: DmPeer[]
  current: ChannelKey | null
  unread: Record<ChannelKey, number>
  /** The newest entry shown when the person last left each channel: where "New" starts. */
  lastRead: Record<ChannelKey, number>
  joinRoom(name: string): string | null
  leaveRoom(name: string): void
  selectChannel(key: ChannelKey): void
  openDm(user: User): void
  refreshRooms(): void
}

export interface TypingEntry {
  userId: string
  nick: string
  until: number
}

export interface SearchState {
  q: string
  pending: boolean
  results: ChatMessage[]
  dms: DirectMessage[]
  hasMore: boolean
}

/** One message of a channel (the same reference the inspector's "Show frames" uses). */
export type { MessageRef }

export interface MessagesSlice {
  logs: Record<ChannelKey, ChannelLog>
  outbox: OutboxItem[]
  typing: Record<string, TypingEntry[]>
  /** The last error the server sent about something this person did. */
  notice: { code: string; message: string; at: number } | null
  /** The message the composer's next send answers, in the channel on screen. */
  replyingTo: MessageRef | null
  /** The message being edited in place. */
  editing: MessageRef | null
  /** A message to scroll to and flash (a reply's quote was clicked); `at` tells repeats apart. */
  jump: (MessageRef & { at: number }) | null
  /** The search box's query and, once the server answered, its results. */
  search: SearchState | null
  runSearch(q: string): void
  closeSearch(): void
  /** A search result was picked: open its channel and jump to it there. */
  showResult(channel: string, id: number): void
  /** The message a jump landed on, highlighted for a moment. */
  flashed: MessageRef | null
  /** Text, files (uploaded already), or both; a room message answers `replyingTo` if set. */
  sendMessage(text: string, files?: FileInfo[]): void
  startReply(id: number): void
  cancelReply(): void
  startEdit(id: number): void
  cancelEdit(): void
  /** Sends the edit; the text changes on screen when the server's `edited` arrives. */
  saveEdit(id: number, text: string): void
  deleteMessage(id: number): void
  toggleReaction(id: number, emoji: string): void
  jumpToMessage(id: number): void
  retryMessage(cid: string): void
  discardMessage(cid: string): void
  loadOlder(key: ChannelKey): void
  notifyTyping(): void
  dismissNotice(): void
}

/** Where a room's member list stands against the server's, for rooms larger than one page. */
export interface MemberPaging {
  /** Members the room has, as last told by the server and adjusted by presence since. */
  total: number
  /** Members paged in so far, in the server's join order (the next page's offset). */
  loaded: number
  loading: boolean
}

export interface MembersSlice {
  members: Record<string, User[]>
  memberPaging: Record<string, MemberPaging>
  /** Asks for the next page of a large room's member list. */
  loadMoreMembers(room: string): void
}

export interface InspectorSlice {
  timeline: TimelineEntry[]
  handshake: HandshakeFacts | null
  closes: CloseRow[]
  reconnects: ReconnectAttempt[]
  rtt: RttSample[]
  bufferedAmount: number
  /** Bumped when frames arrive; the frames themselves live in the engine's ring buffer. */
  framesVersion: number
  protocolErrors: string[]
  sendRaw(text: string): boolean
  closeWithCode(code: number, reason: string): string | null
  /** The session (timeline, closes, reconnects, RTT, frames) as a JSON document. */
  exportSession(): string
}

export type InspectorTab = 'overview' | 'frames' | 'tools' | 'server'

/** A message to bring into view in the chat log: by server id, or by cid for one's own send. */
export interface MessageTarget {
  channel: ChannelKey
  id?: number
  cid?: string
}

export interface UiSlice {
  inspectorOpen: boolean
  inspectorTab: InspectorTab
  /** When set, the Frames tab shows only this message's frames. */
  frameFocus: MessageRef | null
  /** The message the log scrolls to and marks (a frame's "Go to message"). */
  highlightedMessage: (MessageTarget & { at: number }) | null
  toggleInspector(open?: boolean): void
  setInspectorTab(tab: InspectorTab): void
  /** Opens the inspector's frame log on one message's frames. */
  showFrames(ref: MessageRef): void
  clearFrameFocus(): void
  goToMessage(target: MessageTarget): void
  /** Escape: closes the topmost panel. */
  closePanels(): void
}

export type StoreState = ConnectionSlice &
  RoomsSlice &
  MessagesSlice &
  MembersSlice &
  InspectorSlice &
  UiSlice

export type SliceCreator<T> = StateCreator<StoreState, [], [], T>

/** A slice's data fields without its actions: what it starts with and what a new connection resets. */
export type SliceState<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K]
}
