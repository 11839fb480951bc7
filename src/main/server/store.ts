/**
 * The Store seam: where the chat's durable state lives (rooms, room messages, direct messages,
 * resumable sessions, message changes and search; later files). The hub sees only this interface.
 * Today's implementation is SQLite (history-store.ts); a Redis one (issue 15) must pass the same
 * contract suite (test-support/server/store-contract.ts).
 *
 * The store assigns ids: a room's messages get increasing ids in one order, DMs one sequence for
 * the whole server. Appends are asynchronous: `done` runs once the message is durable, and only
 * then may it be acknowledged or fanned out. Reads are synchronous today (SQLite in-process).
 */
import type { FileInfo } from '../../shared/file-info'
import type { ChatMessage, DirectMessage, User } from '../../shared/protocol'
import type { PruneStep, RetentionPolicy } from './history-retention'

/** What a room message may carry beyond its text (files, issue 14, belong here too). */
export interface MessageExtras {
  /** The id of the message in the same room it answers; the caller checked that it exists. */
  replyTo?: number
}

/**
 * A change to a stored message. Each gets the room's next change number (`rev`), so a client
 * that resumes asks for the changes after the last number it saw (hello.changes).
 */
export type MessageChange =
  | { kind: 'edit'; text: string }
  | { kind: 'delete' }
  | { kind: 'react'; emoji: string; userId: string; on: boolean }

export interface SearchQuery {
  /** Lower-cased words, letters and digits only; the caller splits and limits them. */
  words: string[]
  rooms: string[]
  userId: string
  limit: number
}

export interface SearchPage {
  messages: ChatMessage[]
  dms: DirectMessage[]
  /** More matches exist than `limit` of either kind. */
  hasMore: boolean
}

export interface Page<T> {
  messages: T[]
  /** Older (or, for replays, skipped) messages exist beyond this page. */
  hasMore: boolean
}

/** A session as stored: the token only as its SHA-256, so the store never holds a usable token. */
export interface StoredSession {
  tokenHash: string
  user: User
  rooms: string[]
  /** When its socket dropped; null while it has one. */
  droppedAt: number | null
}

/** A session as loaded, with the last moment it is known to have had a socket (or dropped it). */
export interface LoadedSession extends StoredSession {
  lastLive: number
}

/** `stored` is the message with its id and ts, or undefined with `error` when it was not stored. */
export type AppendCallback<T> = (error: Error | null, stored: T | undefined) => void

export interface Store {
  /**
   * Names this history: it changes when the log was reset (Redis lost its data), so ids start
   * again. Sent in `welcome.historyEpoch`; a store that cannot lose its log alone may leave it out.
   */
  readonly epoch?: string
  /**
   * Stores a message; `done` runs after it is durable, with the id and ts the store gave it, and
   * never before `appendMessage` has returned (the caller records the send right after the call).
   * `cid` (late in the list, so callers without one stay short) is stored with it: only its author
   * ever gets it back. `files` (attachments the hub has checked and claimed) are stored with it too.
   */
  appendMessage(
    room: string,
    from: User,
    text: string,
    done: AppendCallback<ChatMessage>,
    cid?: string,
    files?: FileInfo[],
    extras?: MessageExtras
  ): void
  appendDm(
    from: User,
    to: User,
    text: string,
    done: AppendCallback<DirectMessage>,
    cid?: string,
    files?: FileInfo[]
  ): void
  /**
   * Edits, deletions, reactions and search (issue 13). Optional: a store without them (Redis
   * today) leaves `messageChanges` unset and the hub answers `unsupported` to `edit`, `delete`,
   * `react` and `search`; the contract suite checks that such a store has none of these methods.
   */
  readonly messageChanges?: boolean
  /**
   * Applies a change to a stored message and gives it the room's next `rev`; `done` runs once the
   * change is durable, with the message as it now is (error when there is no such message). The
   * change is applied on top of any change still queued, and `messageById` sees it at once, so
   * checks made against `messageById` hold when it lands.
   */
  changeMessage?(room: string, id: number, change: MessageChange, done: AppendCallback<ChatMessage>): void
  /** The room's latest change number (0 before the first change). */
  roomRev?(room: string): number
  /** The messages changed after `rev`, in change order, each as it now is; over `max`, the newest `max`. */
  changesAfter?(room: string, rev: number, max: number): Page<ChatMessage>
  /**
   * Messages (in `rooms`) and DMs (to or from `userId`) containing every one of `words` (the last
   * one as a prefix), newest first, at most `limit` of each; deleted messages never match.
   */
  search?(query: SearchQuery): SearchPage
  /** A stored message as it now is, queued changes included. */
  messageById(room: string, id: number): ChatMessage | undefined
  dmById(id: number): DirectMessage | undefined
  /** The stored message `fromId` sent to `room` with `cid`, among the room's last `window`. */
  findMessageByCid(room: string, fromId: string, cid: string, window: number): ChatMessage | undefined
  /** The stored DM `fromId` sent to `toId` with `cid`, among the last `window` DMs. */
  findDmByCid(fromId: string, toId: string, cid: string, window: number): DirectMessage | undefined
  /** The newest `limit` messages (or those before `before`), oldest first. */
  page(room: string, limit: number, before?: number): Page<ChatMessage>
  /** Messages after `afterId`, oldest first; when more than `max`, the newest `max` and hasMore. */
  messagesAfter(room: string, afterId: number, max: number): Page<ChatMessage>
  /** Direct messages to or from `userId` after `afterId`, oldest first; capped like messagesAfter. */
  dmsAfter(userId: string, afterId: number, max: number): Page<DirectMessage>
  /** Creates the room if new; returns true when it was created. */
  ensureRoom(name: string): boolean
  roomNames(): string[]
  counts(): { messages: number; dms: number }
  /**
   * Session writes (hello, join, leave, drop, expiry) are frequent: an implementation batches
   * them with the messages rather than paying a round trip or a commit for each.
   */
  saveSession(session: StoredSession): void
  deleteSession(tokenHash: string): void
  /**
   * Stamps every session that has a socket as live now, so that after a crash (no drop was
   * written) a session counts as dropped at the last stamp, not whenever it was last saved.
   */
  markLiveSessions(): void
  loadSessions(): LoadedSession[]
  /**
   * A session saved by another process sharing this store (a cluster node that died, or that
   * the client left): a hello presenting its token resumes it here. Only shared stores have it.
   */
  sessionByTokenHash?(tokenHash: string): LoadedSession | undefined
  /** A user with a session saved by any process sharing this store (a DM's recipient on another node). */
  knownUser?(userId: string): User | undefined
  /**
   * Makes everything queued durable now, calling back its appends. SQLite does it before it
   * returns; a store on the network (Redis) returns a promise that resolves once it has.
   */
  flush(): void | Promise<void>
  /** Flushes, then releases the store. Safe to call twice. */
  close(): void
  /**
   * Retention (`--history-days`, `--history-max`): one bounded step of deleting what `policy` no
   * longer keeps. Optional: the Redis store keeps its history whole (retention is not applied).
   */
  prune?(policy: RetentionPolicy, now: number): PruneStep
}
