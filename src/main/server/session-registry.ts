/**
 * Users and their sessions. A session outlives its socket by `resumeMs`: a client that
 * reconnects with the token within that window is the same user (same id, nick and rooms).
 * A user exists exactly as long as its session does, so DMs to a user whose socket just
 * dropped are stored and replayed when it comes back.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { User } from '../../shared/protocol'
import { createRecentSends, RECENT_SENDS_CAPACITY, type RecentSends } from './recent-sends'

export interface Session<Conn> {
  /**
   * Only for the welcome that creates the session, which then clears it (the token is the
   * client's secret, and only its hash is needed from then on); restored sessions never know it.
   */
  token: string
  /** SHA-256 of the token: the key in memory and on disk. */
  readonly tokenHash: string
  readonly user: User
  readonly rooms: Set<string>
  /** The live socket, or undefined while dropped (resumable). */
  connection: Conn | undefined
  /**
   * The remote address of its latest socket, which the dropped-session cap counts per address
   * first. Undefined for a session restored after a restart until it is resumed.
   */
  address: string | undefined
  expiry: NodeJS.Timeout | undefined
  /** This session's recent room messages by `#room` + cid, and DMs by `@userId` + cid. */
  readonly sentMessages: RecentSends
  readonly sentDms: RecentSends
  /**
   * Sends that still ask the history file whether their cid was stored before: a session restored
   * after a restart has no recent sends in memory, and its first sends are the resends of what the
   * dead process committed without acknowledging. A session created here has nothing before.
   */
  coldLookups: number
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/** A user new to this server. Its nick's uniqueness is the Broker's (`claimNick`). */
export function newUser(nick: string): User {
  return { id: `u_${randomBytes(9).toString('base64url')}`, nick }
}

function sendTracking(coldLookups: number) {
  return {
    sentMessages: createRecentSends(),
    sentDms: createRecentSends(),
    coldLookups
  }
}

export interface SessionRegistry<Conn> {
  create(user: User): Session<Conn>
  /** Brings back a session saved before a restart, as dropped (the caller starts its resume window). */
  restore(tokenHash: string, user: User, rooms: Iterable<string>): Session<Conn>
  byToken(token: string): Session<Conn> | undefined
  byUserId(id: string): Session<Conn> | undefined
  /**
   * Starts the resume window of a session whose socket dropped (`windowMs`, default the full
   * window); `onExpire` runs if it lapses, or if the session is evicted: as the oldest dropped one
   * of its address when that address has more than `maxDroppedPerAddress` waiting, else as the
   * oldest of all when more than `maxDropped` are waiting.
   */
  dropped(session: Session<Conn>, onExpire: (session: Session<Conn>) => void, windowMs?: number): void
  /** Cancels the resume window (the session has a socket again). */
  revived(session: Session<Conn>): void
  remove(session: Session<Conn>): void
  all(): IterableIterator<Session<Conn>>
  readonly size: number
  dispose(): void
}

/**
 * Dropped sessions kept at most: each costs memory, a timer and a row, and hellos are cheap, so
 * churn (not concurrent sockets, which the connection caps bound) could grow them without end.
 */
export const DEFAULT_MAX_DROPPED_SESSIONS = 10_000
/**
 * Dropped sessions kept per remote address. Without it, hello/close cycles from one address (10,050
 * in 118 s in the attack run) pushed everyone else's resumable sessions out of the global cap; now
 * such churn evicts only that address's own sessions. A tenth of the global cap: an office behind
 * one NAT address still keeps a thousand people's sessions through a Wi-Fi drop.
 */
export const DEFAULT_MAX_DROPPED_PER_ADDRESS = 1000

export function createSessionRegistry<Conn>(
  resumeMs: number,
  maxDropped = DEFAULT_MAX_DROPPED_SESSIONS,
  maxDroppedPerAddress = Math.min(DEFAULT_MAX_DROPPED_PER_ADDRESS, maxDropped)
): SessionRegistry<Conn> {
  const byToken = new Map<string, Session<Conn>>()
  const byUserId = new Map<string, Session<Conn>>()
  /** Per address, its dropped sessions in drop order, with what to run on eviction. */
  const droppedByAddress = new Map<string, Map<Session<Conn>, (session: Session<Conn>) => void>>()
  /** Dropped sessions in drop order (a Map keeps insertion order), with what to run on eviction. */
  const droppedOrder = new Map<Session<Conn>, (session: Session<Conn>) => void>()

  function remove(session: Session<Conn>): void {
    if (session.expiry !== undefined) clearTimeout(session.expiry)
    session.expiry = undefined
    forgetDropped(session)
    byToken.delete(session.tokenHash)
    byUserId.delete(session.user.id)
  }

  function forgetDropped(session: Session<Conn>): void {
    droppedOrder.delete(session)
    if (session.address === undefined) return
    const mine = droppedByAddress.get(session.address)
    mine?.delete(session)
    if (mine?.size === 0) droppedByAddress.delete(session.address)
  }

  function add(session: Session<Conn>): Session<Conn> {
    byToken.set(session.tokenHash, session)
    byUserId.set(session.user.id, session)
    return session
  }

  return {
    create(user) {
      const token = randomBytes(24).toString('base64url')
      return add({
        token,
        tokenHash: hashToken(token),
        user,
        rooms: new Set(),
        connection: undefined,
        address: undefined,
        expiry: undefined,
        ...sendTracking(0)
      })
    },
    restore(tokenHash, user, rooms) {
      return add({
        token: '',
        tokenHash,
        user,
        rooms: new Set(rooms),
        connection: undefined,
        address: undefined,
        expiry: undefined,
        ...sendTracking(RECENT_SENDS_CAPACITY)
      })
    },
    byToken: (token) => byToken.get(hashToken(token)),
    byUserId: (id) => byUserId.get(id),
    dropped(session, onExpire, windowMs = resumeMs) {
      if (session.expiry !== undefined) clearTimeout(session.expiry)
      session.expiry = setTimeout(() => {
        remove(session)
        onExpire(session)
      }, windowMs)
      session.expiry.unref()
      forgetDropped(session)
      droppedOrder.set(session, onExpire)
      if (session.address !== undefined) {
        let mine = droppedByAddress.get(session.address)
        if (!mine) droppedByAddress.set(session.address, (mine = new Map()))
        mine.set(session, onExpire)
        for (const [oldest, evicted] of mine) {
          if (mine.size <= maxDroppedPerAddress) break
          remove(oldest)
          evicted(oldest)
        }
      }
      for (const [oldest, evicted] of droppedOrder) {
        if (droppedOrder.size <= maxDropped) break
        remove(oldest)
        evicted(oldest)
      }
    },
    revived(session) {
      if (session.expiry !== undefined) clearTimeout(session.expiry)
      session.expiry = undefined
      forgetDropped(session)
    },
    remove,
    all: () => byToken.values(),
    get size() {
      return byToken.size
    },
    dispose() {
      for (const session of byToken.values()) {
        if (session.expiry !== undefined) clearTimeout(session.expiry)
      }
      byToken.clear()
      droppedOrder.clear()
      droppedByAddress.clear()
      byUserId.clear()
    }
  }
}
