/** Typing notices go out at most this often while the person keeps typing. */
const TYPING_THROTTLE_MS = 3000

/** When the next `typing` notice may go out: once per room per throttle period. */
export interface TypingThrottle {
  /** Whether a notice for `room` at `at` would be one too many. */
  tooSoon(room: string, at: number): boolean
  sent(room: string, at: number): void
  /** A message went out: the next keystroke is news again. */
  reset(): void
}

export function createTypingThrottle(): TypingThrottle {
  let lastSent = 0
  let lastRoom: string | null = null
  return {
    tooSoon: (room, at) => room === lastRoom && at - lastSent < TYPING_THROTTLE_MS,
    sent(room, at) {
      lastSent = at
      lastRoom = room
    },
    reset() {
      lastSent = 0
    }
  }
}
