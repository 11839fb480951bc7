import type { EngineState } from '../engine/engine-events'

/** The words in "Connection status": what a person needs to know, not the readyState number. */
export function statusText(
  status: EngineState,
  nextAttemptAt: number | null,
  now: number,
  /** Admitted before: opening a socket again is part of reconnecting, not a first sign-in. */
  reconnecting = false
): string {
  switch (status) {
    case 'open':
      return 'Connected'
    case 'connecting':
      return reconnecting ? 'Reconnecting…' : 'Connecting…'
    case 'authenticating':
      return reconnecting ? 'Reconnecting…' : 'Signing in…'
    case 'closing':
      return 'Closing…'
    case 'reconnecting': {
      if (nextAttemptAt === null) return 'Reconnecting…'
      const seconds = Math.max(0, Math.ceil((nextAttemptAt - now) / 1000))
      return seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'
    }
    case 'offline':
      return 'Offline'
    case 'closed':
      return 'Disconnected'
    case 'idle':
      return 'Not connected'
  }
}
