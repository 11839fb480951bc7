/** What "Frame to send" holds, read in the chosen mode: text as is, binary from hex or base64. */
import { parseBase64, parseHex } from './binary-payload'
import type { PayloadMode } from './ws-client-storage'
import type { OutgoingPayload } from './ws-session'

export type PayloadParse = { ok: true; payload: OutgoingPayload } | { ok: false; message: string }

export function readPayload(mode: PayloadMode, body: string): PayloadParse {
  if (mode === 'text') return { ok: true, payload: { kind: 'text', text: body } }
  const parsed = mode === 'hex' ? parseHex(body) : parseBase64(body)
  return parsed.ok ? { ok: true, payload: { kind: 'binary', bytes: parsed.bytes } } : parsed
}

export const PAYLOAD_MODE_LABELS: Record<PayloadMode, string> = {
  text: 'Text',
  hex: 'Binary (hex)',
  base64: 'Binary (base64)'
}
