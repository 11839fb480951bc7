/**
 * Replies that carry stored messages (`joined`, `history`, the `@dm` replay) are cut to a byte
 * budget as well as a count: 1000 messages of 4000 escaped characters would be a 24 MB frame,
 * which no slow-consumer cap could tell apart from a client that stopped reading.
 */

/** Half the unsent-bytes cap: a whole reply fits with room for the traffic around it. */
export function replyBudgetBytes(maxBufferedBytes: number): number {
  return Math.floor(maxBufferedBytes / 2)
}

/**
 * The newest messages (the end of `messages`, which is oldest first) whose JSON fits in `budget`
 * bytes, and whether any were cut. At least one is kept, so paging always makes progress.
 */
export function newestWithin<T>(messages: T[], budget: number): { messages: T[]; cut: boolean } {
  let used = 0
  let start = messages.length
  while (start > 0) {
    const size = Buffer.byteLength(JSON.stringify(messages[start - 1])) + 1
    if (used + size > budget && start < messages.length) break
    used += size
    start--
  }
  return start === 0 ? { messages, cut: false } : { messages: messages.slice(start), cut: true }
}
