/**
 * History retention (`--history-days`, `--history-max`) on the live database, without stopping
 * the server. Deletes run on the history store's own connection in bounded steps: node:sqlite is
 * synchronous, so one step blocks every client for its duration, and a first run over years of
 * history must not freeze the chat. Between steps the event loop serves clients.
 *
 * What is never deleted, whatever the policy: the newest message of each room and the newest DM.
 * The store seeds its id sequences from those at startup (MAX(id)); without them a restart would
 * hand out ids already used, and a client resuming with `resume: {room: 500}` would be told
 * nothing is new while messages 1, 2, 3… pile up. Ids therefore only ever grow, and a gap in them
 * is how a resuming client can tell that retention removed what it missed.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'

export interface RetentionPolicy {
  /** Room messages and DMs older than this many days go. */
  maxAgeDays?: number
  /** Each room keeps only its newest this many messages. */
  maxPerRoom?: number
}

export interface PruneStep {
  messages: number
  dms: number
  /** More rows are due: run another step (after yielding to the event loop). */
  more: boolean
}

const DAY_MS = 24 * 60 * 60 * 1000
/**
 * Rows deleted per step at most. Measured on 200k rows on a shared, loaded 2-core box: a median of
 * about 1 ms per 500-row step and 3 to 12 ms per 2000, so 1000 keeps each stall to a few ms.
 */
export const PRUNE_STEP_ROWS = 1000

export function hasRetention(policy: RetentionPolicy): boolean {
  return policy.maxAgeDays !== undefined || policy.maxPerRoom !== undefined
}

export interface HistoryPruner {
  /** Deletes at most `maxRows` rows that the policy no longer keeps, in one transaction. */
  step(policy: RetentionPolicy, now: number, maxRows?: number): PruneStep
}

export function createHistoryPruner(db: DatabaseSync): HistoryPruner {
  // Per room through the primary key: a GROUP BY over messages would read every row each step.
  const roomNames = db.prepare('SELECT name FROM rooms')
  const roomNewest = db.prepare('SELECT MAX(id) AS newest FROM messages WHERE room = ?')
  // The id of the N-th newest message: everything below it is beyond --history-max.
  const nthNewest = db.prepare('SELECT id FROM messages WHERE room = ? ORDER BY id DESC LIMIT 1 OFFSET ?')
  const deleteBelow = db.prepare(
    'DELETE FROM messages WHERE room = ? AND id IN (SELECT id FROM messages WHERE room = ? AND id < ? ORDER BY id LIMIT ?)'
  )
  // Oldest first by id (the primary key); ts grows with id, so the scan stops early in practice.
  const deleteOldMessages = db.prepare(
    'DELETE FROM messages WHERE room = ? AND id IN (SELECT id FROM messages WHERE room = ? AND id < ? AND ts < ? ORDER BY id LIMIT ?)'
  )
  const oldestMessage = db.prepare('SELECT id, ts FROM messages WHERE room = ? ORDER BY id LIMIT 1')
  const newestDm = db.prepare('SELECT MAX(id) AS newest FROM dms')
  const oldestDmTs = db.prepare('SELECT ts FROM dms ORDER BY id LIMIT 1')
  const deleteOldDms = db.prepare(
    'DELETE FROM dms WHERE id IN (SELECT id FROM dms WHERE id < ? AND ts < ? ORDER BY id LIMIT ?)'
  )

  // The N-th newest id only grows (new messages push it up; retention deletes only below it), so
  // one found earlier in a pass is still safe to delete below: it spares the OFFSET scan per step.
  const keepFromCache = new Map<string, { maxPerRoom: number; id: number }>()
  function keepFromId(
    room: string,
    maxPerRoom: number,
    mustBeFresh: boolean
  ): { id: number; fresh: boolean } | undefined {
    const cached = keepFromCache.get(room)
    if (!mustBeFresh && cached !== undefined && cached.maxPerRoom === maxPerRoom)
      return { id: cached.id, fresh: false }
    const row = nthNewest.get(room, maxPerRoom - 1) as { id: number } | undefined
    if (row === undefined) {
      keepFromCache.delete(room)
      return undefined
    }
    keepFromCache.set(room, { maxPerRoom, id: row.id })
    return { id: row.id, fresh: true }
  }

  function changes(statement: StatementSync, ...args: (string | number)[]): number {
    return Number(statement.run(...args).changes)
  }

  return {
    step(policy, now, maxRows = PRUNE_STEP_ROWS) {
      let budget = maxRows
      let messages = 0
      let dms = 0
      const cutoff = policy.maxAgeDays !== undefined ? now - policy.maxAgeDays * DAY_MS : undefined
      db.exec('BEGIN')
      try {
        for (const { name: room } of roomNames.all() as { name: string }[]) {
          if (budget === 0) break
          const { newest } = roomNewest.get(room) as { newest: number | null }
          if (newest === null) continue
          const oldest = oldestMessage.get(room) as { id: number } | undefined
          if (oldest === undefined) continue
          // Ids are unique, so a room spanning no more ids than the cap holds no more rows: this
          // skips the OFFSET scan (which reads maxPerRoom index entries) on every pass with nothing to do.
          if (policy.maxPerRoom !== undefined && newest - oldest.id + 1 > policy.maxPerRoom) {
            let keepFrom = keepFromId(room, policy.maxPerRoom, false)
            while (keepFrom !== undefined && budget > 0) {
              const n = changes(deleteBelow, room, room, keepFrom.id, budget)
              messages += n
              budget -= n
              if (budget === 0 || keepFrom.fresh) break
              // The cached bound is used up and may be behind (messages arrived since): look again.
              keepFrom = keepFromId(room, policy.maxPerRoom, true)
            }
          }
          if (cutoff !== undefined && budget > 0) {
            const first = oldestMessage.get(room) as { ts: number } | undefined
            if (first !== undefined && first.ts < cutoff) {
              const n = changes(deleteOldMessages, room, room, newest, cutoff, budget)
              messages += n
              budget -= n
            }
          }
        }
        if (cutoff !== undefined && budget > 0) {
          const oldest = oldestDmTs.get() as { ts: number } | undefined
          const { newest } = newestDm.get() as { newest: number | null }
          if (oldest !== undefined && newest !== null && oldest.ts < cutoff) {
            dms = changes(deleteOldDms, newest, cutoff, budget)
            budget -= dms
          }
        }
        db.exec('COMMIT')
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK')
        throw error
      }
      return { messages, dms, more: budget === 0 }
    }
  }
}

export interface RetentionScheduleOptions {
  policy: RetentionPolicy
  intervalMs: number
  /** One step on the store (HistoryStore.prune). */
  step(policy: RetentionPolicy, now: number): PruneStep
  /** A pass finished and deleted something. */
  onPruned(removed: { messages: number; dms: number }): void
  onError(error: unknown): void
}

/**
 * Runs a pass now and every `intervalMs`; a pass is steps chained with setImmediate until none is
 * due. Returns the function that stops it (a pass in progress ends after its current step).
 */
export function scheduleRetention(options: RetentionScheduleOptions): () => void {
  let stopped = false
  let running = false
  let pending: NodeJS.Immediate | undefined

  function pass(): void {
    if (running || stopped) return
    running = true
    const now = Date.now()
    const removed = { messages: 0, dms: 0 }
    const next = () => {
      pending = undefined
      if (stopped) return
      let result: PruneStep
      try {
        result = options.step(options.policy, now)
      } catch (error) {
        running = false
        options.onError(error)
        return
      }
      removed.messages += result.messages
      removed.dms += result.dms
      if (result.more) {
        pending = setImmediate(next)
        return
      }
      running = false
      if (removed.messages + removed.dms > 0) options.onPruned(removed)
    }
    next()
  }

  pass()
  const timer = setInterval(pass, options.intervalMs)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
    if (pending !== undefined) clearImmediate(pending)
  }
}
