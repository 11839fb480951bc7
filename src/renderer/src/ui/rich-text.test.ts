import { describe, expect, it } from 'vitest'
import { mentions, splitRichText } from './rich-text'

describe('splitRichText', () => {
  it('finds links without the sentence punctuation after them', () => {
    expect(splitRichText('see https://example.com/a?b=1. ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '. ok' }
    ])
  })

  it('never links other schemes', () => {
    expect(splitRichText('javascript:alert(1) file:///etc/passwd')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) file:///etc/passwd' }
    ])
  })

  it('marks mentions of me, case-insensitively', () => {
    expect(splitRichText('hi @Alice and @bob', 'alice')).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', text: '@Alice', me: true },
      { kind: 'text', text: ' and ' },
      { kind: 'mention', text: '@bob', me: false }
    ])
    expect(mentions('ping @alice!', 'alice')).toBe(true)
    expect(mentions('email alice@example.com', 'example.com')).toBe(false)
    expect(mentions('no one here', 'alice')).toBe(false)
  })
})
