import { describe, expect, it } from 'vitest'
import { parseClientMessage } from '../../shared/protocol'
import { isReservedNick, nickKey } from './nick-identity'

describe('nick identity', () => {
  it('gives look-alikes one key: case, compatibility forms and confusable letters', () => {
    const alice = nickKey('alice')
    // Cyrillic а, full-width letters, capitals, digit one for l.
    // (Not "aIice" with a capital I: case is folded first, so nicks differing in case match, and
    // the folded "i" is no look-alike of "l".)
    for (const lookalike of ['\u0430lice', 'ａｌｉｃｅ', 'ALICE', 'a1ice']) {
      expect(nickKey(lookalike), lookalike).toBe(alice)
    }
    expect(nickKey('b0b')).toBe(nickKey('bob'))
    expect(nickKey('bob')).not.toBe(alice)
    // Real names in other scripts keep their own keys.
    expect(nickKey('Zoë')).toBe(nickKey('zoë'))
    expect(nickKey('Zoë')).not.toBe(nickKey('zoe'))
    expect(nickKey('Мария')).not.toBe(nickKey('Maria'))
  })

  it("reserves the server's name and the words server, admin and system, look-alikes included", () => {
    expect(isReservedNick('Den Server', 'Den Server')).toBe(true)
    expect(isReservedNick('den server', 'Den Server')).toBe(true)
    for (const nick of ['server', 'ADMIN', 'Systern', 'ѕystem'])
      expect(isReservedNick(nick, 'den'), nick).toBe(true)
    expect(isReservedNick('serverless', 'den')).toBe(false)
    expect(isReservedNick('ann', 'den')).toBe(false)
  })

  it('the protocol refuses nicks with invisible characters that would look like an existing one', () => {
    for (const hidden of [
      '\u034F',
      '\uFE0F',
      '\u3164',
      '\u2800',
      '\u200B',
      '\u115F',
      '\uFFA0',
      '\u{E0041}'
    ]) {
      const parsed = parseClientMessage(JSON.stringify({ type: 'hello', nick: `alice${hidden}` }))
      expect(parsed.ok, `alice + U+${hidden.codePointAt(0)!.toString(16)}`).toBe(false)
    }
    for (const nick of ['alice', 'Zoë', 'Мария', '李小龙', 'ann smith']) {
      expect(parseClientMessage(JSON.stringify({ type: 'hello', nick })).ok, nick).toBe(true)
    }
  })
})
