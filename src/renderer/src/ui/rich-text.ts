/**
 * Splits message text into plain runs, web links and @mentions, for rendering as React nodes
 * (never as HTML: the text is someone else's). Only http(s) URLs become links.
 */
export type TextPart =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; me: boolean }

// A mention starts a word: the @ in an e-mail address is not one.
const TOKEN = /(https?:\/\/[^\s<>"]+)|((?<![\p{L}\p{N}_.-])@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*)/gu
/** Punctuation that ends a sentence rather than the URL it follows. */
const TRAILING = /[.,;:!?)\]}'"]+$/

export function splitRichText(text: string, myNick?: string): TextPart[] {
  const parts: TextPart[] = []
  let last = 0
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index
    let token = match[0]
    if (match[1]) {
      const trailing = TRAILING.exec(token)?.[0] ?? ''
      token = token.slice(0, token.length - trailing.length)
    }
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) })
    if (match[1]) parts.push({ kind: 'link', text: token, href: token })
    else
      parts.push({
        kind: 'mention',
        text: token,
        me: !!myNick && token.slice(1).toLowerCase() === myNick.toLowerCase()
      })
    last = start + token.length
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) })
  return parts
}

export function mentions(text: string, nick: string): boolean {
  return splitRichText(text, nick).some((part) => part.kind === 'mention' && part.me)
}
