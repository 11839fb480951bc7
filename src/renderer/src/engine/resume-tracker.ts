import {
  DEFAULT_LIMITS,
  DM_RESUME_KEY,
  type ChatMessage,
  type ClientMessage,
  type ServerMessageOf
} from '../../../shared/protocol'

/** The largest number of history pages fetched to close a gap after a non-resumed reconnect. */
const MAX_GAP_PAGES = 10

interface Gap {
  /** The last id seen before the reconnect: paging stops once history reaches it. */
  until: number
  pages: number
}

/**
 * What this client has seen and where it was, so a reconnect loses nothing: the resume map the
 * next hello carries, the rooms to join again when the server could not resume the session, the
 * replay barrier after welcome, and paging back through history to close a gap.
 */
export class ResumeTracker {
  /** Highest message id seen per room, and per DM_RESUME_KEY for direct messages. */
  private readonly lastSeen = new Map<string, number>()
  /** Latest change number (edits, deletions, reactions) seen per room: hello.changes. */
  private readonly revs = new Map<string, number>()
  /** Rooms this session is in, so a non-resumed reconnect can join them again. */
  private readonly rooms = new Set<string>()
  private joinedSinceWelcome = new Set<string>()
  private resumed = false
  private barrierT: number | undefined
  private readonly gaps = new Map<string, Gap>()

  /** `send` writes on the welcomed connection and returns false when there is none. */
  constructor(private readonly send: (message: ClientMessage) => boolean) {}

  /** A copy of the resume map the next hello will carry. */
  points(): Record<string, number> {
    return Object.fromEntries(this.lastSeen)
  }

  /** The change numbers the next hello carries, so the server replays the changes missed since. */
  changePoints(): Record<string, number> {
    return Object.fromEntries(this.revs)
  }

  /** An `edited`, `deleted` or `reactions` frame: its room's change number. */
  noteChange(room: string, rev: number): void {
    if (rev > (this.revs.get(room) ?? 0)) this.revs.set(room, rev)
  }

  /** Whether the replay after the last welcome may still be arriving. */
  get replaying(): boolean {
    return this.barrierT !== undefined
  }

  /**
   * The server answers in order, so by the pong to a ping sent right after welcome every `joined`
   * replay for the session has arrived: only then is it known which queued messages got through.
   * Returns the barrier ping to send.
   */
  welcomed(resumed: boolean, now: number): ClientMessage {
    this.resumed = resumed
    this.joinedSinceWelcome = new Set()
    this.barrierT = now
    return { type: 'ping', t: now }
  }

  /** True when this pong closes the replay barrier; rooms the server forgot are joined again. */
  pong(t: number): boolean {
    if (this.barrierT === undefined || t !== this.barrierT) return false
    this.barrierT = undefined
    if (!this.resumed) {
      for (const room of this.rooms) {
        if (!this.joinedSinceWelcome.has(room)) this.send({ type: 'join', room })
      }
    }
    return true
  }

  joined(message: ServerMessageOf<'joined'>): void {
    const previous = this.lastSeen.get(message.room)
    this.rooms.add(message.room)
    this.joinedSinceWelcome.add(message.room)
    // joined.rev is the room's number now: the changes before it are in this reply or in history.
    if (message.rev !== undefined) this.revs.set(message.room, message.rev)
    this.noteMessages(message.room, message.history)
    this.maybeFillGap(message.room, previous, message.history, message.hasMore === true)
  }

  history(message: ServerMessageOf<'history'>): void {
    this.noteMessages(message.room, message.messages)
    const gap = this.gaps.get(message.room)
    if (gap) this.continueGapFill(message.room, gap, message.messages, message.hasMore === true)
  }

  left(room: string): void {
    this.rooms.delete(room)
    this.lastSeen.delete(room)
    this.revs.delete(room)
  }

  noteRoomMessage(room: string, id: number): void {
    this.noteId(room, id)
  }

  noteDirectMessage(id: number): void {
    this.noteId(DM_RESUME_KEY, id)
  }

  /** The socket closed: a barrier or gap fill in progress belonged to it. */
  connectionLost(): void {
    this.barrierT = undefined
    this.gaps.clear()
  }

  private noteMessages(room: string, messages: readonly ChatMessage[]): void {
    for (const message of messages) this.noteId(room, message.id)
  }

  private noteId(key: string, id: number): void {
    const seen = this.lastSeen.get(key)
    if (seen === undefined || id > seen) this.lastSeen.set(key, id)
  }

  /**
   * After a reconnect the server could not resume (it restarted and lost sessions), a fresh join
   * brings only the newest page; a resumed one brings what the server's reply budget let through
   * (newest kept, `hasMore` when cut, by count or by bytes) — or, in a room past the budget of
   * that hello, nothing but `hasMore`. Either way: page back until the history meets the last
   * message seen.
   */
  private maybeFillGap(
    room: string,
    previous: number | undefined,
    history: readonly ChatMessage[],
    hasMore: boolean
  ): void {
    if (previous === undefined || !hasMore) return
    if (history.length === 0) {
      this.gaps.set(room, { until: previous, pages: 1 })
      this.send({ type: 'history', room, limit: DEFAULT_LIMITS.historyPageMax })
      return
    }
    this.continueGapFill(room, { until: previous, pages: 0 }, history, hasMore)
  }

  private continueGapFill(room: string, gap: Gap, page: readonly ChatMessage[], hasMore: boolean): void {
    const oldest = page[0]
    const reached = !oldest || oldest.id <= gap.until + 1 || page.some((m) => m.id <= gap.until)
    if (reached || !hasMore || gap.pages >= MAX_GAP_PAGES) {
      this.gaps.delete(room)
      return
    }
    this.gaps.set(room, { until: gap.until, pages: gap.pages + 1 })
    this.send({ type: 'history', room, before: oldest.id, limit: DEFAULT_LIMITS.historyPageMax })
  }
}
