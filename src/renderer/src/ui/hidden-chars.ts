/**
 * Characters that change how text reads without being seen. Bidi overrides, embeddings and
 * isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows them, so "\u202Egnp.exe" shows as
 * "exe.png"; zero-width characters hide inside words and links. Message text may carry them (the
 * server stores what people send), so the log shows each as a visible escape and isolates every
 * message (dir="auto"), and the inspector shows frames with them as JSON escapes.
 *
 * Left alone in the log: ZWJ and ZWNJ (emoji sequences, Persian and Indic spelling), variation
 * selectors (emoji presentation) and the directional marks LRM/RLM/ALM, which right-to-left
 * writers use and which cannot reorder text beyond the marks' neighbours.
 */

/** Reordering controls and zero-width characters that have no business being invisible in chat. */
const HIDDEN_IN_LOG = /[\u202A-\u202E\u2066-\u2069\u200B\u2060-\u2064\uFEFF\u00AD\u180E]/gu

/** Every default-ignorable or bidi control code point: the inspector hides nothing. */
const HIDDEN_IN_INSPECTOR = /[\p{Default_Ignorable_Code_Point}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

export type TextRun = { kind: 'text'; text: string } | { kind: 'hidden'; text: string; codePoint: string }

/** "U+202E" for a character. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** Splits text into plain runs and the hidden characters between them (one run each). */
export function splitHidden(text: string): TextRun[] {
  const runs: TextRun[] = []
  let last = 0
  for (const match of text.matchAll(HIDDEN_IN_LOG)) {
    if (match.index > last) runs.push({ kind: 'text', text: text.slice(last, match.index) })
    runs.push({ kind: 'hidden', text: match[0], codePoint: codePointLabel(match[0]) })
    last = match.index + match[0].length
  }
  if (last < text.length) runs.push({ kind: 'text', text: text.slice(last) })
  return runs
}

/** The text with every hidden character replaced by its label in brackets, for labels and titles. */
export function revealHidden(text: string): string {
  return text.replace(HIDDEN_IN_LOG, (char) => `[${codePointLabel(char)}]`)
}

/**
 * Frame text for the inspector: each invisible or bidi control character as a JSON `\uXXXX`
 * escape, which is also what it means inside a JSON string, so the frame still reads as JSON.
 */
export function escapeHidden(text: string): string {
  return text.replace(HIDDEN_IN_INSPECTOR, (char) =>
    // Astral default-ignorables (tag characters, U+E0000 on) as their surrogate pair, as JSON would.
    [...char]
      .flatMap((c) => (c.length === 2 ? [c.charCodeAt(0), c.charCodeAt(1)] : [c.charCodeAt(0)]))
      .map((unit) => `\\u${unit.toString(16).padStart(4, '0')}`)
      .join('')
  )
}
