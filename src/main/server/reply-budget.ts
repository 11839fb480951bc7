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
 * bytes, whether any were cut, and the bytes they take. At least one is kept unless `keepOne` is
 * false, so a page the client asked for always makes progress; a hello's later rooms may get none.
 */
export function newestWithin<T>(
  messages: T[],
  budget: number,
  keepOne = true
): { messages: T[]; cut: boolean; bytes: number } {
  let used = 0
  let start = messages.length
  while (start > 0) {
    const size = Buffer.byteLength(JSON.stringify(messages[start - 1])) + 1
    if (used + size > budget && (start < messages.length || !keepOne)) break
    used += size
    start--
  }
  const kept = start === 0 ? messages : messages.slice(start)
  return { messages: kept, cut: start > 0, bytes: used }
}

/**
 * What is left of one reply's budget, spent by the frames of that reply in turn: everything a
 * hello answers after its welcome shares one, so its size never grows with the number of rooms.
 */
export interface ReplyAllowance {
  left: number
}
