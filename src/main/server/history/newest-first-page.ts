import type { Page } from '../store'

/**
 * A page from rows read newest first with `LIMIT max + 1` (so the index walk stops at once): the
 * newest `max`, oldest first, and whether the extra row said there are more.
 */
export function newestFirstPage<R, T>(rows: R[], max: number, toValue: (row: R) => T): Page<T> {
  const hasMore = rows.length > max
  if (hasMore) rows.length = max
  return { messages: rows.reverse().map(toValue), hasMore }
}
