/**
 * A captured WebSocket conversation as a JSON document: exported from one connection, imported
 * into a new one, and replayed (its sent frames, in order, with their original spacing) against
 * whatever server that connection points at. Imports are validated: a file is untrusted input.
 */
import { z } from 'zod'
import { fromBase64 } from './binary-payload'
import type { OutgoingPayload, WsCloseRow, WsFrame, WsHandshake, WsTimelineEntry } from './ws-session'

export const SESSION_FORMAT = 'parley.ws-session.v1'
/** More frames than one connection keeps; a bigger file is not one this client wrote. */
const MAX_FRAMES = 20_000

const frameSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  dir: z.enum(['in', 'out']),
  opcode: z.enum(['text', 'binary']),
  size: z.number().int().nonnegative(),
  data: z.string()
})

const sessionFileSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  exportedAt: z.string(),
  connection: z.object({
    name: z.string().max(200),
    url: z.string().max(2000),
    protocols: z.array(z.string().max(200)).max(50)
  }),
  handshake: z
    .object({
      url: z.string(),
      offered: z.array(z.string()),
      protocol: z.string(),
      extensions: z.string(),
      openedAt: z.number()
    })
    .nullable()
    .default(null),
  timeline: z
    .array(z.object({ at: z.number(), state: z.string(), note: z.string().optional() }))
    .max(MAX_FRAMES)
    .default([]),
  closes: z.array(z.looseObject({ at: z.number(), code: z.number(), reason: z.string() })).default([]),
  frames: z.array(frameSchema).max(MAX_FRAMES)
})

export type SessionFile = z.infer<typeof sessionFileSchema>

export interface SessionSnapshot {
  name: string
  url: string
  protocols: string[]
  handshake: WsHandshake | null
  timeline: WsTimelineEntry[]
  closes: WsCloseRow[]
  frames: WsFrame[]
}

export function exportSessionFile(snapshot: SessionSnapshot, now = new Date()): string {
  const file = {
    format: SESSION_FORMAT,
    exportedAt: now.toISOString(),
    connection: { name: snapshot.name, url: snapshot.url, protocols: snapshot.protocols },
    handshake: snapshot.handshake,
    timeline: snapshot.timeline,
    closes: snapshot.closes,
    frames: snapshot.frames
  }
  return JSON.stringify(file, null, 2)
}

export type ImportResult = { ok: true; file: SessionFile } | { ok: false; message: string }

export function importSessionFile(text: string): ImportResult {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, message: 'That file is not JSON.' }
  }
  const parsed = sessionFileSchema.safeParse(json)
  if (parsed.success) return { ok: true, file: parsed.data }
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
  return {
    ok: false,
    message: `Not a session this client exported (${SESSION_FORMAT})${where}: ${issue?.message ?? 'invalid'}.`
  }
}

export interface ReplayStep {
  /** Wait this long after the previous step. */
  delayMs: number
  payload: OutgoingPayload
}

/**
 * The sent frames of a capture, in order, each after the gap it had (capped, so an hour-long
 * pause in the capture does not stall the replay).
 */
export function replayPlan(frames: readonly WsFrame[], maxGapMs = 1000): ReplayStep[] {
  const steps: ReplayStep[] = []
  let previousAt: number | undefined
  for (const frame of frames) {
    if (frame.dir !== 'out') continue
    const gap = previousAt === undefined ? 0 : Math.min(maxGapMs, Math.max(0, frame.at - previousAt))
    previousAt = frame.at
    steps.push({
      delayMs: gap,
      payload:
        frame.opcode === 'text'
          ? { kind: 'text', text: frame.data }
          : { kind: 'binary', bytes: fromBase64(frame.data) }
    })
  }
  return steps
}
