/**
 * Binary frames as people type and read them: hex (`de ad be ef`) and base64. Frames are kept as
 * base64 strings so a session exports as plain JSON; the hex view is made when a row is shown.
 */

export type PayloadResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string }

/** Space-separated lowercase hex pairs, the way DevTools and Wireshark show bytes. */
export function toHex(bytes: Uint8Array, limit = Infinity): string {
  const shown = bytes.length > limit ? bytes.subarray(0, limit) : bytes
  const pairs = Array.from(shown, (b) => b.toString(16).padStart(2, '0'))
  return bytes.length > limit ? `${pairs.join(' ')} …` : pairs.join(' ')
}

/** Accepts `de ad be ef`, `deadbeef`, `0xde 0xad`, `de:ad:be:ef`. */
export function parseHex(text: string): PayloadResult {
  const digits = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '')
  if (!/^[0-9a-f]*$/i.test(digits)) {
    const bad = /[^0-9a-f]/i.exec(digits)?.[0] ?? ''
    return { ok: false, message: `"${bad}" is not a hex digit: write bytes like "de ad be ef".` }
  }
  if (digits.length % 2 !== 0) {
    return {
      ok: false,
      message: `${digits.length} hex digits is not a whole number of bytes (two digits each).`
    }
  }
  const bytes = new Uint8Array(digits.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16)
  return { ok: true, bytes }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  // In chunks: String.fromCharCode(...bytes) overflows the argument limit on a large frame.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

export function parseBase64(text: string): PayloadResult {
  const compact = text.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/')
  const padded = compact.padEnd(compact.length + ((4 - (compact.length % 4)) % 4), '=')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(padded)) {
    return { ok: false, message: 'That is not base64: use A–Z, a–z, 0–9, + and / (or - and _).' }
  }
  try {
    const binary = atob(padded)
    return { ok: true, bytes: Uint8Array.from(binary, (c) => c.charCodeAt(0)) }
  } catch {
    return { ok: false, message: 'That is not base64: its length or padding is wrong.' }
  }
}

/** Bytes back from the stored base64 (always valid: this module wrote it). */
export function fromBase64(base64: string): Uint8Array {
  const result = parseBase64(base64)
  return result.ok ? result.bytes : new Uint8Array()
}
