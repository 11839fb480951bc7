import { describe, expect, it } from 'vitest'
import { escapeHidden, revealHidden, splitHidden } from './hidden-chars'

describe('hidden characters', () => {
  it('splits out a right-to-left override, so "gnp.exe" cannot pass as "exe.png"', () => {
    expect(splitHidden('\u202Egnp.exe')).toEqual([
      { kind: 'hidden', text: '\u202E', codePoint: 'U+202E' },
      { kind: 'text', text: 'gnp.exe' }
    ])
    expect(revealHidden('pay\u200Bpal')).toBe('pay[U+200B]pal')
  })

  it('leaves alone what real text needs: ZWJ emoji, ZWNJ, variation selectors, RLM', () => {
    for (const text of ['👩\u200D💻', 'می\u200Cخواهم', '❤\uFE0F', 'שלום\u200F!']) {
      expect(splitHidden(text)).toEqual([{ kind: 'text', text }])
    }
  })

  it('escapes every invisible or bidi control character in inspector frames, as valid JSON', () => {
    const frame = JSON.stringify({ text: '\u202Egnp.exe \u200D \u2066x\u2069 \u{E0041}' })
    const escaped = escapeHidden(frame)
    expect(escaped).toBe('{"text":"\\u202egnp.exe \\u200d \\u2066x\\u2069 \\udb40\\udc41"}')
    expect(JSON.parse(escaped)).toEqual(JSON.parse(frame))
  })
})
