/**
 * One socket's link while it carries a lasting fault: every frame the hub writes to it passes
 * through here (fanout.ts's outbound hook) and is held back (pauseReads) or delayed (delayMs).
 */
import { WebSocket } from 'ws'
import type { ActiveFaults } from '../../shared/fault-schema'
import { createDelayedFrames } from './delayed-frames'
import { setOutboundHook, writeFrame, type OutboundFrame } from './fanout'

export interface FaultLink {
  delay(ms: number): void
  pauseReads(): void
  /** Bytes held for a paused reader (counted against the slow-consumer cap). */
  readonly heldBytes: number
  active(): ActiveFaults
  /** Frames go straight to the wire again; what was held or delayed is dropped. */
  detach(): void
  /** Detaches, then writes what was held, then what was delayed, in order. */
  lift(): void
}

function frameBytes(frame: OutboundFrame): number {
  return frame.bytes?.length ?? Buffer.byteLength(frame.text)
}

export function attachFaultLink(ws: WebSocket): FaultLink {
  let delayMs = 0
  let paused = false
  let held: OutboundFrame[] = []
  let heldBytes = 0
  const writeIfOpen = (frame: OutboundFrame) => {
    if (ws.readyState === WebSocket.OPEN) writeFrame(ws, frame)
  }
  const delayed = createDelayedFrames(writeIfOpen)

  setOutboundHook(ws, (frame) => {
    if (paused) {
      // As a stalled reader's kernel buffers would: kept, and counted against the slow-consumer cap.
      held.push(frame)
      heldBytes += frameBytes(frame)
    } else if (delayMs === 0 && delayed.empty) {
      writeFrame(ws, frame)
    } else {
      delayed.push(frame, delayMs)
    }
  })

  function detach(): OutboundFrame[] {
    setOutboundHook(ws, undefined)
    const pending = [...held, ...delayed.take()]
    held = []
    return pending
  }

  return {
    delay(ms) {
      delayMs = ms
    },
    pauseReads() {
      paused = true
    },
    get heldBytes() {
      return heldBytes
    },
    active: () => ({
      ...(delayMs > 0 ? { delayMs } : {}),
      ...(paused ? { pauseReads: true, heldBytes } : {})
    }),
    detach() {
      detach()
    },
    lift() {
      const pending = detach()
      if (ws.readyState === WebSocket.OPEN) for (const frame of pending) writeFrame(ws, frame)
    }
  }
}
