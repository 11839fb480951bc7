/**
 * Idempotent sends: whether a session already sent a `cid`. Memory answers for everything sent
 * since the session came to this process; a session restored from the store also asks the store
 * for its first sends (the resends of what a dead process stored without acknowledging).
 */
import type { RecentSends } from '../recent-sends'
import type { Session } from '../session-registry'
import type { Connection } from './connection'

/**
 * How far back (in room ids, or DM ids) a cold lookup searches for a resend's original. The
 * original was in flight when the old process died, so only what arrived around it lies between.
 */
export const CID_LOOKUP_WINDOW = 4096

/** What became of an earlier send with the same cid: none, still queued, or stored. */
export type EarlierSend<T> = { state: 'none' } | { state: 'queued' } | { state: 'stored'; value: T }

export interface SendLookups<T> {
  byId(id: number): T | undefined
  /** Asks the store (the memory of a session restored after a restart is empty). */
  byCid(): T | undefined
}

export function earlierSend<T extends { id: number }>(
  session: Session<Connection>,
  recent: RecentSends,
  key: string,
  lookups: SendLookups<T>
): EarlierSend<T> {
  const entry = recent.get(key)
  if (entry && !entry.committed) return { state: 'queued' }
  let stored: T | undefined
  if (entry) {
    stored = lookups.byId(entry.id)
  } else if (session.coldLookups > 0) {
    session.coldLookups--
    stored = lookups.byCid()
    if (stored) recent.committed(key, stored.id)
  }
  return stored ? { state: 'stored', value: stored } : { state: 'none' }
}
