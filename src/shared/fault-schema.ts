/**
 * The faults an admin (the HTTP API) or the host panel (the IPC bridge) can inject into a
 * connection of a Parley server, one schema for both doors. Documented in docs/protocol.md.
 */
import { z } from 'zod'

const MAX_DELAY_MS = 60_000

/** Codes `ws` lets a server put in a close frame (RFC 6455 §7.4: 1004–1006 and 1015 never go on the wire). */
function sendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  )
}

export const faultSchema = z.union([
  z.strictObject({ delayMs: z.number().int().min(0).max(MAX_DELAY_MS) }),
  z.strictObject({
    closeCode: z.number().int().refine(sendableCloseCode, {
      message: 'closeCode must be 1000–1003, 1007–1014 or 3000–4999 (1004–1006 and 1015 never go on the wire)'
    }),
    reason: z
      .string()
      .refine((r) => new TextEncoder().encode(r).length <= 123, {
        message: 'reason must be at most 123 bytes of UTF-8'
      })
      .optional()
  }),
  z.strictObject({ drop: z.literal(true) }),
  z.strictObject({ pauseReads: z.literal(true) })
])
export type Fault = z.infer<typeof faultSchema>

/** The lasting faults on a connection, as the host panel and the API answer show them. */
export const activeFaultsSchema = z.object({
  delayMs: z.number().optional(),
  pauseReads: z.boolean().optional(),
  /** Bytes held back by pauseReads, counted in the connection's bufferedAmount. */
  heldBytes: z.number().optional()
})
export type ActiveFaults = z.infer<typeof activeFaultsSchema>

export const FAULT_SHAPES =
  'The body must be one of {"delayMs": N}, {"closeCode": C, "reason"?: "…"}, {"drop": true}, {"pauseReads": true}.'

export type FaultParse = { ok: true; fault: Fault } | { ok: false; message: string }

/** Parses a fault, answering a refusal with the sentence that names what is wrong. */
export function parseFault(value: unknown): FaultParse {
  const parsed = faultSchema.safeParse(value)
  if (parsed.success) return { ok: true, fault: parsed.data }
  // A union reports "invalid input"; the branch the body was aiming at says why.
  const branch =
    typeof value === 'object' && value !== null
      ? faultSchema.options.find((option) => Object.keys(option.shape).some((key) => key in value))
      : undefined
  const issue = branch?.safeParse(value).error?.issues[0]
  const detail = issue ? ` (${issue.path.join('.') || 'body'}: ${issue.message})` : ''
  return { ok: false, message: `${FAULT_SHAPES}${detail}` }
}
