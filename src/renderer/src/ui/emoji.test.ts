import { describe, expect, it } from 'vitest'
import { emojiForShortcode, replaceShortcodes, searchEmoji } from './emoji'

describe('emoji', () => {
  it('turns known shortcodes into emoji, outside inline code, and leaves the rest', () => {
    expect(replaceShortcodes('ship it :tada: :+1: :no_such_code: `:tada:` 10:30:00')).toBe(
      'ship it 🎉 👍 :no_such_code: `:tada:` 10:30:00'
    )
    expect(emojiForShortcode('grinning_face')).toBe('😀')
  })

  it('searches by name first, then by keyword', () => {
    expect(searchEmoji('rocket')[0]).toMatchObject({ emoji: '🚀', name: 'rocket' })
    expect(searchEmoji('thumbs').map((r) => r.emoji)).toContain('👍')
    expect(searchEmoji('')).toEqual([])
    expect(searchEmoji('zzzzqqq')).toEqual([])
  })
})
