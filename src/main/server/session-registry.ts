/**
 * Users and their sessions. A session outlives its socket by `resumeMs`: a client that
 * reconnects with the token within that window is the same user (same id, nick and rooms).
 * A user exists exactly as long as its session does, so DMs to a user whose socket just
 * dropped are stored and replayed when it comes back.
 */
import { randomBytes } from 'node:crypto'
import type { User } from '../../shared/protocol'

export interface Session<Conn> {
  readonly token: string
  readonly user: User
  readonly rooms: Set<string>
  /** The live socket, or undefined while dropped (resumable). */
  connection: Conn | undefined
  expiry: NodeJS.Timeout | undefined
}

/** Nicks are unique regardless of case and Unicode compatibility forms ("Ann" = "ann" = "Ａｎｎ"). */
export function nickKey(nick: string): string {
  return nick.normalize('NFKC').toLowerCase()
}

export interface SessionRegistry<Conn> {
  create(nick: string): Session<Conn>
  byToken(token: string): Session<Conn> | undefined
  byUserId(id: string): Session<Conn> | undefined
  byNick(nick: string): Session<Conn> | undefined
  /** Starts the resume window of a session whose socket dropped; `onExpire` runs if it lapses. */
  dropped(session: Session<Conn>, onExpire: (session: Session<Conn>) => void): void
  /** Cancels the resume window (the session has a socket again). */
  revived(session: Session<Conn>): void
  remove(session: Session<Conn>): void
  all(): IterableIterator<Session<Conn>>
  readonly size: number
  dispose(): void
}

export function createSessionRegistry<Conn>(resumeMs: number): SessionRegistry<Conn> {
  const byToken = new Map<string, Session<Conn>>()
  const byUserId = new Map<string, Session<Conn>>()
  const byNick = new Map<string, Session<Conn>>()

  function remove(session: Session<Conn>): void {
    if (session.expiry !== undefined) clearTimeout(session.expiry)
    session.expiry = undefined
    byToken.delete(session.token)
    byUserId.delete(session.user.id)
    if (byNick.get(nickKey(session.user.nick)) === session) byNick.delete(nickKey(session.user.nick))
  }

  return {
    create(nick) {
      const session: Session<Conn> = {
        token: randomBytes(24).toString('base64url'),
        user: { id: `u_${randomBytes(9).toString('base64url')}`, nick },
        rooms: new Set(),
        connection: undefined,
        expiry: undefined
      }
      byToken.set(session.token, session)
      byUserId.set(session.user.id, session)
      byNick.set(nickKey(nick), session)
      return session
    },
    byToken: (token) => byToken.get(token),
    byUserId: (id) => byUserId.get(id),
    byNick: (nick) => byNick.get(nickKey(nick)),
    dropped(session, onExpire) {
      if (session.expiry !== undefined) clearTimeout(session.expiry)
      session.expiry = setTimeout(() => {
        remove(session)
        onExpire(session)
      }, resumeMs)
      session.expiry.unref()
    },
    revived(session) {
      if (session.expiry !== undefined) clearTimeout(session.expiry)
      session.expiry = undefined
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
      byUserId.clear()
      byNick.clear()
    }
  }
}
