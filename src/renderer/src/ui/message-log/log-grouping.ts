/** Where the log breaks its run of rows: a new day, a new author group, the first unread entry. */
import type { LogEntry } from '../../store/channel-log'
import { dayKey } from '../format'

/** A message starts a new author group after this much silence, as Slack and Element do. */
const GROUP_GAP_MS = 5 * 60_000

export function startsDay(entry: LogEntry, previous: LogEntry | undefined): boolean {
  return !previous || dayKey(previous.ts) !== dayKey(entry.ts)
}

export function startsGroup(entry: LogEntry, previous: LogEntry | undefined): boolean {
  if (entry.kind !== 'message') return false
  if (!previous || previous.kind !== 'message' || startsDay(entry, previous)) return true
  return previous.from.id !== entry.from.id || entry.ts - previous.ts > GROUP_GAP_MS
}

/** The first entry after `lastRead` (the last order the person saw) is where "New" goes. */
export function startsUnread(
  entry: LogEntry,
  previous: LogEntry | undefined,
  lastRead: number | undefined
): boolean {
  return lastRead !== undefined && entry.order > lastRead && (!previous || previous.order <= lastRead)
}
