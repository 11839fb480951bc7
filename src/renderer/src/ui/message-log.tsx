import { memo, useCallback, useEffect, useMemo, useRef } from 'react'
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso'
import { useShallow } from 'zustand/react/shallow'
import type { OutboxItem } from '../engine/outbox'
import type { User } from '../../../shared/protocol'
import {
  emptyLog,
  findMessageEntry,
  isDmKey,
  type ChannelLog,
  type LogEntry,
  type MessageEntry
} from '../store/channel-log'
import { useStore } from '../store'
import { targetKey } from '../store/selectors'
import { dayKey, formatDay, formatTime } from './format'
import { parseMarkdown, type Block, type Inline } from './markdown'
import { MessageActions, MessageEditor } from './message-actions'
import { ReactionChips } from './reactions'
import { mentions, splitRichText } from './rich-text'
import './message-log.css'

/** Virtuoso's index space starts high so older pages can be prepended below it (see firstItemIndex). */
const FIRST_INDEX = 1_000_000_000
/** A message starts a new author group after this much silence, as Slack and Element do. */
const GROUP_GAP_MS = 5 * 60_000
const EMPTY_LOG: ChannelLog = emptyLog()
/** How long after the person's own wheel, drag, touch or key the log leaves the scroll position to them. */
const USER_SCROLL_GRACE_MS = 250
/** Leaving the bottom this soon after the person's own wheel, drag, touch or key is their doing: it unpins. */
const USER_SCROLL_WINDOW_MS = 1000

function startsDay(entry: LogEntry, previous: LogEntry | undefined): boolean {
  return !previous || dayKey(previous.ts) !== dayKey(entry.ts)
}

function startsGroup(entry: LogEntry, previous: LogEntry | undefined): boolean {
  if (entry.kind !== 'message') return false
  if (!previous || previous.kind !== 'message' || startsDay(entry, previous)) return true
  return previous.from.id !== entry.from.id || entry.ts - previous.ts > GROUP_GAP_MS
}

function NewDivider() {
  return (
    <div className="new-divider" role="separator" aria-label="New messages">
      <span>New</span>
    </div>
  )
}

function DayDivider({ ts }: { ts: number }) {
  return (
    <div className="day-divider" role="separator" aria-label={formatDay(ts)}>
      <span>{formatDay(ts)}</span>
    </div>
  )
}

function RichText({ text, myNick }: { text: string; myNick: string | undefined }) {
  return (
    <>
      {splitRichText(text, myNick).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : part.kind === 'mention' ? (
          <span key={i} className={part.me ? 'mention me' : 'mention'}>
            {part.text}
          </span>
        ) : (
          part.text
        )
      )}
    </>
  )
}

/** The first line of a message, short enough for a quote. */
function snippet(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 120 ? `${line.slice(0, 119)}…` : line
}

function ReplyQuote({ id, original }: { id: number; original: MessageEntry | undefined }) {
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

function Inlines({ inlines, myNick }: { inlines: Inline[]; myNick: string | undefined }) {
  return (
    <>
      {inlines.map((node, i) =>
        node.kind === 'text' ? (
          <RichText key={i} text={node.text} myNick={myNick} />
        ) : node.kind === 'code' ? (
          <code key={i}>{node.text}</code>
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
            <code>{block.text}</code>
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
function MessageBody({ text, myNick }: { text: string; myNick: string | undefined }) {
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

const EntryRow = memo(function EntryRow({
  entry,
  grouped,
  mine,
  myNick,
  editing,
  flash,
  actions,
  original,
  nickOf
}: {
  entry: LogEntry
  grouped: boolean
  mine: boolean
  myNick: string | undefined
  editing: boolean
  flash: boolean
  /** Rooms only: DMs have no edit, delete or reactions yet. */
  actions: boolean
  original: MessageEntry | undefined
  nickOf: (userId: string) => string
}) {
  if (entry.kind === 'system') {
    return (
      <div className="system-line">
        <span>{entry.text}</span>
        <time dateTime={new Date(entry.ts).toISOString()}>{formatTime(entry.ts)}</time>
      </div>
    )
  }
  const mentionsMe = !mine && !!myNick && !entry.deleted && mentions(entry.text, myNick)
  // A reply always shows whom it answers, so it starts its own group.
  const showHeader = !grouped || entry.replyTo !== undefined
  return (
    <article
      className={`message${showHeader ? '' : ' grouped'}${mentionsMe ? ' mentions-me' : ''}${flash ? ' flash' : ''}`}
      aria-label={`${entry.from.nick}: ${entry.deleted ? 'message deleted' : entry.text}`}
      data-message-id={entry.id}
      // Focusable, so a keyboard (or a tap on a phone) reaches the actions of this one message.
      tabIndex={actions ? 0 : undefined}
    >
      {entry.replyTo !== undefined && <ReplyQuote id={entry.replyTo} original={original} />}
      {showHeader && (
        <header>
          <bdi className="author">{entry.from.nick}</bdi>
          <time dateTime={new Date(entry.ts).toISOString()}>{formatTime(entry.ts)}</time>
        </header>
      )}
      {entry.deleted ? (
        <div className="message-text deleted">message deleted</div>
      ) : editing ? (
        <MessageEditor entry={entry} />
      ) : (
        /* dir="auto": a line that starts in Hebrew or Arabic reads right to left, aligned right. */
        <div className="message-text" dir="auto">
          <MessageBody text={entry.text} myNick={myNick} />
          {entry.editedAt !== undefined && (
            <span className="mark edited" title={`Edited ${new Date(entry.editedAt).toLocaleString()}`}>
              (edited)
            </span>
          )}
          {mine && entry.cid && (
            <span className="mark delivered" title="Delivered" aria-label="Delivered">
              ✓
            </span>
          )}
        </div>
      )}
      {entry.reactions && entry.reactions.length > 0 && (
        <ReactionChips id={entry.id} reactions={entry.reactions} nickOf={nickOf} />
      )}
      {actions && !entry.deleted && !editing && <MessageActions entry={entry} mine={mine} />}
    </article>
  )
})

function PendingRow({ item, connected }: { item: OutboxItem; connected: boolean }) {
  const retry = useStore((s) => s.retryMessage)
  const discard = useStore((s) => s.discardMessage)
  const failed = item.status === 'failed'
  return (
    <article className={`message pending${failed ? ' failed' : ''}`} aria-label={`You: ${item.text}`}>
      <div className="message-text" dir="auto">
        <span className="text">{item.text}</span>
      </div>
      <div className="pending-state">
        {failed ? (
          <>
            <span className="mark failed-mark">Not delivered.</span>
            <button type="button" className="link" onClick={() => retry(item.cid)}>
              Retry
            </button>
            <button type="button" className="link" onClick={() => discard(item.cid)}>
              Discard
            </button>
          </>
        ) : (
          <span className="mark" title="Pending">
            {connected ? 'Sending…' : 'Pending: will send when reconnected'}
          </span>
        )}
      </div>
    </article>
  )
}

interface LogContext {
  channel: string
}

function PendingFooter({ context: { channel } }: { context: LogContext }) {
  const items = useStore(useShallow((s) => s.outbox.filter((item) => targetKey(item.target) === channel)))
  const connected = useStore((s) => s.status === 'open')
  if (!items.length) return <div className="log-end" />
  return (
    <div className="pending-list">
      {items.map((item) => (
        <PendingRow key={item.cid} item={item} connected={connected} />
      ))}
    </div>
  )
}

function LoadingHeader({ context: { channel } }: { context: LogContext }) {
  const log = useStore((s) => s.logs[channel])
  if (!log) return null
  if (log.loadingOlder) return <div className="log-start muted">Loading older messages…</div>
  if (!log.hasMore && !isDmKey(channel))
    return <div className="log-start muted">This is the start of #{channel}.</div>
  return <div className="log-start" />
}

const LOG_COMPONENTS = { Header: LoadingHeader, Footer: PendingFooter }

/** Nicks by user id from the room's member list; someone who left is named so. */
function nickLookup(members: User[] | undefined): (userId: string) => string {
  const byId = new Map((members ?? []).map((m) => [m.id, m.nick]))
  return (userId) => byId.get(userId) ?? 'someone who left'
}

export function MessageLog({ channel }: { channel: string }) {
  const context = useMemo<LogContext>(() => ({ channel }), [channel])
  const log = useStore((s) => s.logs[channel] ?? EMPTY_LOG)
  const meId = useStore((s) => s.me?.id)
  const myNick = useStore((s) => s.me?.nick)
  const lastRead = useStore((s) => s.lastRead[channel])
  const loadOlder = useStore((s) => s.loadOlder)
  const outboxSize = useStore((s) => s.outbox.length)
  const editingId = useStore((s) => (s.editing?.channel === channel ? s.editing.id : undefined))
  const jump = useStore((s) => (s.jump?.channel === channel ? s.jump : null))
  const members = useStore((s) => s.members[channel])
  const flashId = useStore((s) => (s.flashed?.channel === channel ? s.flashed.id : undefined))
  const nickOf = useMemo(() => nickLookup(members), [members])
  const virtuoso = useRef<VirtuosoHandle>(null)
  // Whether new messages keep the view pinned to the bottom. Only the person's own scrolling
  // unpins it: during a burst the list can fall briefly behind the bottom while new rows are
  // measured, and Virtuoso's at-bottom flag alone would then stop following for good.
  const stick = useRef(true)
  // Never, until the person scrolls: a 0 here read as "just now" for the first second of the page
  // (performance.now() starts at 0), so a list that left the bottom while a fresh page filled an
  // empty room unpinned itself as if the person had scrolled up, and stayed on the first rows.
  const userScrolledAt = useRef(Number.NEGATIVE_INFINITY)
  const noteUserScroll = () => {
    userScrolledAt.current = performance.now()
  }
  // Pinned, and the person is not in the middle of scrolling: pulling the view down between two
  // wheel ticks would keep them from ever getting away from the bottom during a burst.
  const following = () => stick.current && performance.now() - userScrolledAt.current > USER_SCROLL_GRACE_MS
  const entries = log.entries
  const firstItemIndex = FIRST_INDEX - log.prepended

  // The follow itself, not just a backstop: Virtuoso's followOutput only fires once the list has
  // reached its initial item, and a list remounted with dozens of rows in the middle of a burst
  // (an empty room whose first render already holds many messages) can miss that for good,
  // leaving the view on the first rows while the rest arrives. So a pinned view is taken to the
  // newest row here on every new message, and autoscrollToBottom covers rows that then measure
  // taller than estimated. Keyed on the newest entry so an older page arriving at the top never
  // yanks the reader down.
  const pinToNewest = () => {
    if (following()) virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
  }
  const newestOrder = entries.at(-1)?.order
  useEffect(() => {
    if (newestOrder === undefined || !following()) return
    virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
    virtuoso.current?.autoscrollToBottom()
  }, [newestOrder])

  // Sending something jumps to the newest message, even when reading older history.
  useEffect(() => {
    if (outboxSize > 0) virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
  }, [outboxSize])

  // A reply's quote was clicked: scroll to the original and flash it, paging back for it first
  // when it is older than what is loaded (a bounded number of pages).
  const jumpPages = useRef(0)
  useEffect(() => {
    jumpPages.current = 0
  }, [jump])
  useEffect(() => {
    if (!jump) return
    const index = entries.findIndex((e) => e.kind === 'message' && e.id === jump.id)
    if (index >= 0) {
      stick.current = false
      userScrolledAt.current = performance.now()
      virtuoso.current?.scrollToIndex({ index: firstItemIndex + index, align: 'center' })
      const flashed = { channel, id: jump.id }
      useStore.setState({ jump: null, flashed })
      setTimeout(() => {
        if (useStore.getState().flashed === flashed) useStore.setState({ flashed: null })
      }, 2000)
      return undefined
    }
    if (log.hasMore && !log.loadingOlder && jumpPages.current < 20) {
      jumpPages.current++
      loadOlder(channel)
    } else if (!log.hasMore) useStore.setState({ jump: null })
    return undefined
  }, [jump, entries, firstItemIndex, log.hasMore, log.loadingOlder, loadOlder, channel])

  const itemContent = useCallback(
    (index: number, entry: LogEntry) => {
      const previous = entries[index - firstItemIndex - 1]
      const original =
        entry.kind === 'message' && entry.replyTo !== undefined
          ? findMessageEntry(entries, entry.replyTo)
          : undefined
      return (
        <>
          {startsDay(entry, previous) && <DayDivider ts={entry.ts} />}
          {lastRead !== undefined && entry.order > lastRead && (!previous || previous.order <= lastRead) && (
            <NewDivider />
          )}
          <EntryRow
            entry={entry}
            grouped={entry.kind === 'message' && !startsGroup(entry, previous)}
            mine={entry.kind === 'message' && entry.from.id === meId}
            myNick={myNick}
            editing={entry.kind === 'message' && entry.id === editingId}
            flash={entry.kind === 'message' && entry.id === flashId}
            actions={!isDmKey(channel)}
            original={original}
            nickOf={nickOf}
          />
        </>
      )
    },
    [entries, firstItemIndex, meId, myNick, lastRead, editingId, flashId, channel, nickOf]
  )

  return (
    <div
      role="log"
      aria-label="Messages"
      className="message-log"
      onWheelCapture={noteUserScroll}
      onPointerDownCapture={noteUserScroll}
      onTouchMoveCapture={noteUserScroll}
      onKeyDownCapture={noteUserScroll}
    >
      <Virtuoso<LogEntry, LogContext>
        // One list per channel, not remounted when the first messages arrive: a list remounted
        // mid-burst with dozens of rows waits to reach that initial row before it follows, and
        // its late scroll there could leave the view on the first rows for good. A room joined
        // before its history lands still opens at the newest message: the list is pinned, so
        // followOutput and the effect above take it there as the rows arrive.
        key={channel}
        ref={virtuoso}
        data={entries}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={Math.max(0, entries.length - 1)}
        computeItemKey={(_, entry) => entry.order}
        itemContent={itemContent}
        followOutput={() => (following() ? 'auto' : false)}
        atBottomThreshold={80}
        // A short conversation sits at the bottom, next to the composer, as in every chat app.
        alignToBottom
        atBottomStateChange={(atBottom) => {
          if (atBottom) stick.current = true
          else if (performance.now() - userScrolledAt.current < USER_SCROLL_WINDOW_MS) stick.current = false
          // Still pinned, yet off the bottom without the person's doing (rows measured taller
          // than estimated after the last message of a burst, with no newer one to follow):
          // back to the newest row.
          else if (stick.current) requestAnimationFrame(pinToNewest)
        }}
        startReached={() => loadOlder(channel)}
        increaseViewportBy={{ top: 400, bottom: 200 }}
        // Stable component types (context carries the channel): inline ones would remount on
        // every render and make the list lose its place at the bottom.
        context={context}
        components={LOG_COMPONENTS}
        style={{ height: '100%' }}
      />
    </div>
  )
}
