/**
 * A message's text as the log shows it: the Markdown subset (markdown.ts) as blocks and inlines,
 * links and @mentions (rich-text.ts), and invisible characters made visible (hidden-chars.ts).
 */
import { useMemo } from 'react'
import { splitHidden } from '../hidden-chars'
import { parseMarkdown, type Block, type Inline } from '../markdown'
import { splitRichText } from '../rich-text'

/** Text with each reordering or zero-width character shown as its code point (hidden-chars.ts). */
export function VisibleText({ text }: { text: string }) {
  return (
    <>
      {splitHidden(text).map((run, i) =>
        run.kind === 'hidden' ? (
          <span key={i} className="hidden-char" title={`Invisible character ${run.codePoint}`}>
            {run.codePoint}
          </span>
        ) : (
          run.text
        )
      )}
    </>
  )
}

function RichText({ text, myNick }: { text: string; myNick: string | undefined }) {
  return (
    <>
      {splitRichText(text, myNick).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            <VisibleText text={part.text} />
          </a>
        ) : part.kind === 'mention' ? (
          <span key={i} className={part.me ? 'mention me' : 'mention'}>
            {part.text}
          </span>
        ) : (
          <VisibleText key={i} text={part.text} />
        )
      )}
    </>
  )
}

function Inlines({ inlines, myNick }: { inlines: Inline[]; myNick: string | undefined }) {
  return (
    <>
      {inlines.map((node, i) =>
        node.kind === 'text' ? (
          <RichText key={i} text={node.text} myNick={myNick} />
        ) : node.kind === 'code' ? (
          <code key={i}>
            <VisibleText text={node.text} />
          </code>
        ) : node.kind === 'bold' ? (
          <strong key={i}>
            <Inlines inlines={node.children} myNick={myNick} />
          </strong>
        ) : node.kind === 'italic' ? (
          <em key={i}>
            <Inlines inlines={node.children} myNick={myNick} />
          </em>
        ) : (
          <s key={i}>
            <Inlines inlines={node.children} myNick={myNick} />
          </s>
        )
      )}
    </>
  )
}

function Blocks({ blocks, myNick }: { blocks: Block[]; myNick: string | undefined }) {
  return (
    <>
      {blocks.map((block, i) =>
        block.kind === 'paragraph' ? (
          <p key={i}>
            <Inlines inlines={block.inlines} myNick={myNick} />
          </p>
        ) : block.kind === 'code' ? (
          <pre key={i}>
            <code>
              <VisibleText text={block.text} />
            </code>
          </pre>
        ) : block.kind === 'quote' ? (
          <blockquote key={i}>
            <Blocks blocks={block.blocks} myNick={myNick} />
          </blockquote>
        ) : block.ordered ? (
          <ol key={i} start={block.start}>
            {block.items.map((item, k) => (
              <li key={k}>
                <Inlines inlines={item} myNick={myNick} />
              </li>
            ))}
          </ol>
        ) : (
          <ul key={i}>
            {block.items.map((item, k) => (
              <li key={k}>
                <Inlines inlines={item} myNick={myNick} />
              </li>
            ))}
          </ul>
        )
      )}
    </>
  )
}

/** One paragraph (most messages) flows inline, so "(edited)" and ✓ follow its last word. */
export function MessageBody({ text, myNick }: { text: string; myNick: string | undefined }) {
  const blocks = useMemo(() => parseMarkdown(text), [text])
  const only = blocks[0]
  if (blocks.length === 1 && only?.kind === 'paragraph') {
    return (
      <span className="text">
        <Inlines inlines={only.inlines} myNick={myNick} />
      </span>
    )
  }
  return (
    <div className="text rich">
      <Blocks blocks={blocks} myNick={myNick} />
    </div>
  )
}
