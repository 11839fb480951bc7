import type { Clock, TimerHandle } from '../engine/clock'
import { replayPlan } from './session-file'
import type { WsFrame, WsSession } from './ws-session'

/**
 * Sending a connection's captured outgoing frames again, one timer at a time, with the spacing
 * they had (session-file.ts's replayPlan). At most one replay per connection.
 */
export interface Replays {
  /** The frames an imported capture came with: a replay sends these, not what the replay itself sent. */
  rememberImport(id: string, frames: WsFrame[]): void
  /** Starts the replay on `session`. Returns a sentence when it cannot. */
  start(id: string, session: WsSession | undefined): string | null
  stop(id: string): void
  /** Stops the replay and forgets the imported frames: the connection is gone. */
  forget(id: string): void
}

/** `onLeft` hears how many frames are still to send after each step; 0 when the replay ends. */
export function createReplays(clock: Clock, onLeft: (id: string, left: number) => void): Replays {
  const timers = new Map<string, TimerHandle>()
  const imported = new Map<string, WsFrame[]>()

  function stop(id: string): void {
    const timer = timers.get(id)
    if (timer !== undefined) clock.clearTimeout(timer)
    timers.delete(id)
    onLeft(id, 0)
  }

  return {
    rememberImport(id, frames) {
      imported.set(id, frames)
    },
    start(id, session) {
      if (!session || session.state !== 'open') return 'Open the connection first: the replay sends on it.'
      const steps = replayPlan(imported.get(id) ?? session.frames.toArray())
      if (steps.length === 0) return 'Nothing to replay: this connection has no sent frames.'
      stop(id)
      let index = 0
      const next = () => {
        const step = steps[index]
        if (!step) return stop(id)
        timers.set(
          id,
          clock.setTimeout(() => {
            const problem = session.send(step.payload)
            index++
            onLeft(id, steps.length - index)
            if (problem) stop(id)
            else next()
          }, step.delayMs)
        )
      }
      onLeft(id, steps.length)
      next()
      return null
    },
    stop,
    forget(id) {
      stop(id)
      imported.delete(id)
    }
  }
}
