import { loadLastSession } from '../../store/session-memory'
import { useStore } from '../../store'

/**
 * After a reload, go straight back into the chat this tab was in (when it needed no password,
 * which is never stored). Module-level so React's development double-mount cannot run it twice.
 */
let resumeAttempted = false
export function resumeLastSession(): void {
  if (resumeAttempted) return
  resumeAttempted = true
  const last = loadLastSession()
  if (last && !last.needsPassword) useStore.getState().connect({ url: last.url, nick: last.nick })
}
