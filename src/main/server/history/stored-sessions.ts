/**
 * Resumable sessions in the SQLite history, written with the messages' commit (write-queue.ts)
 * rather than one commit each: hello, join, leave, drop and expiry all save one.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { StoredSession, Store } from '../store'
import type { WriteQueue } from './write-queue'

export type StoredSessions = Pick<
  Store,
  'saveSession' | 'deleteSession' | 'markLiveSessions' | 'loadSessions'
>

export interface StoredSessionsPart {
  store: StoredSessions
  /** The queued writes (write-queue.ts `write`). */
  upsert(session: StoredSession, at: number): void
  remove(tokenHash: string): void
  stampLive(at: number): void
}

interface SessionRow {
  token_hash: string
  user_id: string
  nick: string
  rooms: string
  updated_at: number
  dropped_at: number | null
}

export function createStoredSessions(db: DatabaseSync, queue: WriteQueue): StoredSessionsPart {
  const upsertSession = db.prepare(
    'INSERT OR REPLACE INTO sessions (token_hash, user_id, nick, rooms, updated_at, dropped_at) VALUES (?, ?, ?, ?, ?, ?)'
  )
  const removeSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?')
  const stampLiveSessions = db.prepare('UPDATE sessions SET updated_at = ? WHERE dropped_at IS NULL')
  const selectSessions = db.prepare(
    'SELECT token_hash, user_id, nick, rooms, updated_at, dropped_at FROM sessions'
  )

  const store: StoredSessions = {
    saveSession(session) {
      queue.push({ kind: 'session', value: session, at: Date.now() })
    },
    deleteSession(tokenHash) {
      if (!queue.closed) queue.push({ kind: 'sessionGone', tokenHash })
    },
    markLiveSessions() {
      if (!queue.closed) queue.push({ kind: 'sessionsLive', at: Date.now() })
    },
    loadSessions() {
      return (selectSessions.all() as unknown as SessionRow[]).map((row) => ({
        tokenHash: row.token_hash,
        user: { id: row.user_id, nick: row.nick },
        rooms: JSON.parse(row.rooms) as string[],
        droppedAt: row.dropped_at,
        lastLive: row.dropped_at ?? row.updated_at
      }))
    }
  }
  return {
    store,
    upsert({ tokenHash, user, rooms, droppedAt }, at) {
      upsertSession.run(tokenHash, user.id, user.nick, JSON.stringify(rooms), at, droppedAt)
    },
    remove: (tokenHash) => void removeSession.run(tokenHash),
    stampLive: (at) => void stampLiveSessions.run(at)
  }
}
