/**
 * Request headers for the desktop app's WebSocket relay (src/main/ws-relay.ts): a browser cannot
 * set any on a WebSocket handshake, the app's main process can. Parsed from "Name: value" lines in
 * the renderer and validated again in main; the handshake's own headers stay ws's to set.
 */
import { z } from 'zod'

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** The handshake itself: overriding these would break it, not customise it. */
const RESERVED = /^(sec-websocket-.*|connection|upgrade|content-length|transfer-encoding)$/i

export const relayHeadersSchema = z
  .record(
    z
      .string()
      .regex(HEADER_NAME)
      .refine((name) => !RESERVED.test(name), 'a handshake header'),
    z
      .string()
      .max(8192)
      .regex(/^[^\r\n\0]*$/)
  )
  .refine((headers) => Object.keys(headers).length <= 50, 'at most 50 headers')

export type RelayHeaders = z.infer<typeof relayHeadersSchema>

export type HeadersParse = { ok: true; headers: RelayHeaders } | { ok: false; message: string }

/** "Authorization: Bearer x" per line; blank lines and lines starting with # are skipped. */
export function parseHeaderLines(text: string): HeadersParse {
  const headers: RelayHeaders = {}
  const lines = text.split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    const name = colon < 0 ? line : line.slice(0, colon).trim()
    const where = `Line ${index + 1}`
    if (colon < 0) return { ok: false, message: `${where}: write it as "Name: value".` }
    if (!HEADER_NAME.test(name)) return { ok: false, message: `${where}: "${name}" is not a header name.` }
    if (RESERVED.test(name)) {
      return {
        ok: false,
        message: `${where}: ${name} belongs to the WebSocket handshake and is set for you.`
      }
    }
    headers[name] = line.slice(colon + 1).trim()
  }
  if (Object.keys(headers).length > 50) return { ok: false, message: 'At most 50 headers.' }
  return { ok: true, headers }
}
