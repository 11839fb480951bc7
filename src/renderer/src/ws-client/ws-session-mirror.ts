import type { Clock, TimerHandle } from '../engine/clock'
import type { WsConnectionView } from './ws-connection-view'
import type { WsSession } from './ws-session'

const TIMELINE_KEEP = 200
const CLOSES_KEEP = 100
/** Frame bursts repaint the log at most this often. */
const FRAMES_REPAINT_MS = 50

export type ViewPatch = (change: (c: WsConnectionView) => Partial<WsConnectionView>) => void

/**
 * Copies what a session reports into its connection's view: state and timeline, handshake,
 * closes, buffered bytes, the next reconnect. Frames stay in the session's ring buffer; the view
 * only learns, at most every FRAMES_REPAINT_MS, that there are new ones. Returns the function
 * that stops mirroring.
 */
export function mirrorSession(session: WsSession, patch: ViewPatch, clock: Clock): () => void {
  let repaint: TimerHandle | undefined
  const unsubscribe = session.subscribe((event) => {
    switch (event.type) {
      case 'state':
        patch((c) => ({
          state: event.entry.state,
          timeline: [...c.timeline, event.entry].slice(-TIMELINE_KEEP),
          ...(event.entry.state !== 'reconnecting' ? { nextAttemptAt: null } : {})
        }))
        break
      case 'handshake':
        patch(() => ({ handshake: event.facts }))
        break
      case 'close':
        patch((c) => ({ closes: [...c.closes, event.row].slice(-CLOSES_KEEP) }))
        break
      case 'buffered':
        patch(() => ({ bufferedAmount: event.bytes }))
        break
      case 'reconnect':
        patch(() => ({ nextAttemptAt: event.dueAt }))
        break
      case 'frames':
        if (repaint !== undefined) break
        repaint = clock.setTimeout(() => {
          repaint = undefined
          patch((c) => ({ framesVersion: c.framesVersion + 1 }))
        }, FRAMES_REPAINT_MS)
        break
    }
  })
  return () => {
    unsubscribe()
    if (repaint !== undefined) clock.clearTimeout(repaint)
    repaint = undefined
  }
}
