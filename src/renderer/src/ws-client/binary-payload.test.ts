import { describe, expect, it } from 'vitest'
import { fromBase64, parseBase64, parseHex, toBase64, toHex } from './binary-payload'

describe('binary payloads', () => {
  it('shows bytes as spaced hex pairs and cuts long ones', () => {
    expect(toHex(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]))).toBe('de ad be ef 01')
    expect(toHex(new Uint8Array([1, 2, 3]), 2)).toBe('01 02 …')
  })

  it('reads hex in the spellings people paste', () => {
    for (const text of ['de ad be ef', 'DEADBEEF', '0xde 0xad 0xbe 0xef', 'de:ad:be:ef']) {
      const result = parseHex(text)
      expect(result.ok && Array.from(result.bytes)).toEqual([0xde, 0xad, 0xbe, 0xef])
    }
  })

  it('refuses odd digits and non-hex with a sentence', () => {
    expect(parseHex('abc')).toEqual({ ok: false, message: expect.stringContaining('3 hex digits') })
    expect(parseHex('zz')).toEqual({ ok: false, message: expect.stringContaining('"z" is not a hex digit') })
  })

  it('round-trips base64, url-safe and unpadded too', () => {
    const bytes = new Uint8Array([0, 255, 128, 7, 250])
    expect(fromBase64(toBase64(bytes))).toEqual(bytes)
    const urlSafe = parseBase64(toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))
    expect(urlSafe.ok && urlSafe.bytes).toEqual(bytes)
    expect(parseBase64('not base64!').ok).toBe(false)
  })
})
