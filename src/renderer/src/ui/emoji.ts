/**
 * Emoji by name, from emojilib's keyword lists (the first keyword is the emoji's name, as in
 * `grinning_face`): the reaction picker's search, and `:shortcode:` → emoji in the composer.
 */
import keywordsByEmoji from 'emojilib'

/** The picker's first row, the reactions people reach for most in Slack and Discord. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'] as const

interface Named {
  emoji: string
  name: string
  keywords: string[]
}

let table: Named[] | undefined
let byCode: Map<string, string> | undefined

function all(): Named[] {
  table ??= Object.entries(keywordsByEmoji as Record<string, string[]>).map(([emoji, keywords]) => ({
    emoji,
    name: keywords[0] ?? '',
    keywords
  }))
  return table
}

/** Emoji whose name or a keyword starts with `query`, names first; at most `max`. */
export function searchEmoji(query: string, max = 48): Named[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '').replace(/\s+/g, '_')
  if (!q) return []
  const byName: Named[] = []
  const byKeyword: Named[] = []
  for (const entry of all()) {
    if (entry.name.startsWith(q) || entry.name.includes(`_${q}`)) byName.push(entry)
    else if (entry.keywords.some((k) => k.startsWith(q))) byKeyword.push(entry)
    if (byName.length >= max) break
  }
  return [...byName, ...byKeyword].slice(0, max)
}

/** The emoji a shortcode names (`tada`, `+1`, `thumbsup`, `grinning_face`), if any. */
export function emojiForShortcode(code: string): string | undefined {
  if (!byCode) {
    byCode = new Map()
    // Names win over keywords; among keywords the first emoji listing it (emojilib's own order).
    for (const entry of all()) byCode.set(entry.name, entry.emoji)
    for (const entry of all()) for (const k of entry.keywords) if (!byCode.has(k)) byCode.set(k, entry.emoji)
  }
  return byCode.get(code.toLowerCase())
}

const SHORTCODE = /(`+)[^`]*\1|:([a-z0-9_+-]{2,40}):/gi

/** `:tada:` → 🎉 outside inline code; unknown codes stay as typed. */
export function replaceShortcodes(text: string): string {
  return text.replace(SHORTCODE, (whole, code: string | undefined, name: string | undefined) =>
    code !== undefined || name === undefined ? whole : (emojiForShortcode(name) ?? whole)
  )
}
