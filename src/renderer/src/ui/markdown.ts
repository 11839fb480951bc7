/**
 * The Markdown people type in chat, parsed into a small tree that the message view renders as
 * React elements (never as HTML: the text is someone else's, so nothing in it can become markup).
 * Blocks: paragraphs, ``` code blocks, > quotes, - and 1. lists. Inline: `code`, **bold**,
 * *italic* / _italic_, ~~strike~~; web links and @mentions are found in the text leaves later
 * (rich-text.ts). Anything else stays as typed.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: Inline[] }

export type Block =
  | { kind: 'paragraph'; inlines: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'quote'; blocks: Block[] }
  | { kind: 'list'; ordered: boolean; start: number; items: Inline[][] }

/** Nesting beyond this is left as typed: a hostile message cannot make the parser recurse deep. */
const MAX_DEPTH = 4

const FENCE = /^\s*```/
const QUOTE = /^\s*>\s?/
const ITEM = /^\s*(?:([-*+])|(\d{1,9})[.)])\s+/

export function parseMarkdown(text: string, depth = 0): Block[] {
  const lines = text.split('\n')
  const blocks: Block[] = []
  let paragraph: string[] = []
  const endParagraph = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', inlines: parseInline(paragraph.join('\n')) })
    paragraph = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (FENCE.test(line)) {
      endParagraph()
      const code: string[] = []
      // The rest of the opening line after ``` is a language name in Markdown; here it is dropped.
      while (++i < lines.length && !FENCE.test(lines[i] as string)) code.push(lines[i] as string)
      blocks.push({ kind: 'code', text: code.join('\n') })
    } else if (QUOTE.test(line) && depth < MAX_DEPTH) {
      endParagraph()
      const quoted: string[] = []
      for (; i < lines.length && QUOTE.test(lines[i] as string); i++)
        quoted.push((lines[i] as string).replace(QUOTE, ''))
      i--
      blocks.push({ kind: 'quote', blocks: parseMarkdown(quoted.join('\n'), depth + 1) })
    } else if (ITEM.test(line)) {
      endParagraph()
      const first = ITEM.exec(line) as RegExpExecArray
      const ordered = first[2] !== undefined
      const items: Inline[][] = []
      for (; i < lines.length; i++) {
        const match = ITEM.exec(lines[i] as string)
        if (!match || (match[2] !== undefined) !== ordered) break
        items.push(parseInline((lines[i] as string).slice(match[0].length)))
      }
      i--
      blocks.push({ kind: 'list', ordered, start: ordered ? Number(first[2]) : 1, items })
    } else if (line.trim() === '') {
      endParagraph()
    } else {
      paragraph.push(line)
    }
  }
  endParagraph()
  return blocks
}

/** Each pattern's first group is the content; a link is matched first so its `_` and `*` stay put. */
type Marker = 'link' | 'code' | 'bold' | 'italic' | 'strike'

const INLINE: { kind: Marker; pattern: RegExp }[] = [
  { kind: 'link', pattern: /https?:\/\/[^\s<>"]+/gu },
  { kind: 'code', pattern: /`([^`\n]+)`/gu },
  { kind: 'bold', pattern: /\*\*(?=\S)([\s\S]*?\S)\*\*/gu },
  { kind: 'bold', pattern: /(?<![\p{L}\p{N}_])__(?=\S)([\s\S]*?\S)__(?![\p{L}\p{N}_])/gu },
  { kind: 'strike', pattern: /~~(?=\S)([\s\S]*?\S)~~/gu },
  { kind: 'italic', pattern: /(?<![\p{L}\p{N}*])\*([^\s*](?:[\s\S]*?[^\s*])?)\*(?![\p{L}\p{N}*])/gu },
  { kind: 'italic', pattern: /(?<![\p{L}\p{N}_])_([^\s_](?:[\s\S]*?[^\s_])?)_(?![\p{L}\p{N}_])/gu }
]

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = []
  let rest = text
  while (rest) {
    let best: { kind: Marker; match: RegExpExecArray } | undefined
    for (const { kind, pattern } of INLINE) {
      if (depth >= MAX_DEPTH && kind !== 'link' && kind !== 'code') continue
      pattern.lastIndex = 0
      const match = pattern.exec(rest)
      if (match && (!best || match.index < best.match.index)) best = { kind, match }
    }
    if (!best) break
    const { kind, match } = best
    if (match.index > 0) pushText(out, rest.slice(0, match.index))
    if (kind === 'link') pushText(out, match[0])
    else if (kind === 'code') out.push({ kind: 'code', text: match[1] as string })
    else out.push({ kind, children: parseInline(match[1] as string, depth + 1) })
    rest = rest.slice(match.index + match[0].length)
  }
  if (rest) pushText(out, rest)
  return out
}

function pushText(out: Inline[], text: string): void {
  const last = out.at(-1)
  if (last?.kind === 'text') last.text += text
  else out.push({ kind: 'text', text })
}
