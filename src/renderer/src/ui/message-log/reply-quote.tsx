import { useStore } from '../../store'
import type { MessageEntry } from '../../store/channel-log'

/** The first line of a message, short enough for a quote. */
function snippet(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 120 ? `${line.slice(0, 119)}…` : line
}

/** Above a reply: whom and what it answers; a click scrolls to the original (use-jump-to-reply.ts). */
export function ReplyQuote({ id, original }: { id: number; original: MessageEntry | undefined }) {
  const jumpToMessage = useStore((s) => s.jumpToMessage)
  const label = original
    ? original.deleted
      ? `Reply to a deleted message`
      : `Reply to ${original.from.nick}: ${snippet(original.text)}`
    : 'Reply to an earlier message'
  return (
    <button
      type="button"
      className="reply-quote"
      aria-label={`${label}. Show it`}
      onClick={() => jumpToMessage(id)}
    >
      <span aria-hidden="true">↪</span>{' '}
      {original ? (
        <>
          <bdi className="author">{original.from.nick}</bdi>{' '}
          <span className="quote-text" dir="auto">
            {original.deleted ? 'message deleted' : snippet(original.text)}
          </span>
        </>
      ) : (
        <span className="quote-text">an earlier message</span>
      )}
    </button>
  )
}
