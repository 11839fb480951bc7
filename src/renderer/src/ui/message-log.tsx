import { memo, useCallback, useEffect, useMemo, useRef } from 'react'
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso'
import { useShallow } from 'zustand/react/shallow'
import type { OutboxItem } from '../engine/outbox'
import type { User } from '../../../shared/protocol'
import { FileAttachments } from '../files/file-attachments'
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
import { revealHidden, splitHidden } from './hidden-chars'
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

/** Text with each reordering or zero-width character shown as its code point (hidden-chars.ts). */
function VisibleText({ text }: { text: string }) {
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

/** The server's own id: no user can have it (theirs are "u_…"), unlike a nick that looks official. */
const SERVER_ID = 'server'

/** In the message's actions (revealed on hover or focus): the way into its frames. */
function ShowFramesButton({ channel, id, cid }: { channel: string; id: number; cid: string | undefined }) {
  const showFrames = useStore((s) => s.showFrames)
  return (
    <button
      type="button"
      className="frames"
      title="Open the inspector on the frames of this message"
      onClick={() => showFrames({ channel, id, ...(cid ? { cid } : {}) })}
    >
      Show frames
    </button>
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
  nickOf,
  channel,
  highlighted
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
  channel: string
  highlighted: boolean
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
  const fromServer = entry.from.id === SERVER_ID
  // A reply always shows whom it answers, so it starts its own group.
  const showHeader = !grouped || entry.replyTo !== undefined
  const frames = <ShowFramesButton channel={channel} id={entry.id} cid={mine ? entry.cid : undefined} />
  return (
    <article
      className={`message${showHeader ? '' : ' grouped'}${mentionsMe ? ' mentions-me' : ''}${flash ? ' flash' : ''}${highlighted ? ' highlighted' : ''}${fromServer ? ' from-server' : ''}`}
      aria-label={`${fromServer ? 'Server announcement' : entry.from.nick}: ${entry.deleted ? 'message deleted' : revealHidden(entry.text)}`}
      aria-current={highlighted ? 'true' : undefined}
      data-message-id={entry.id}
      // Focusable, so a keyboard (or a tap on a phone) reaches the actions of this one message.
      tabIndex={actions ? 0 : undefined}
    >
      {entry.replyTo !== undefined && <ReplyQuote id={entry.replyTo} original={original} />}
      {showHeader && (
        <header>
          <bdi className="author">{entry.from.nick}</bdi>
          {fromServer && (
            <span className="server-badge" title="Sent by the server's operator, not by a user">
              server
            </span>
          )}
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
      {entry.files && !entry.deleted && <FileAttachments files={entry.files} />}
      {entry.reactions && entry.reactions.length > 0 && (
        <ReactionChips id={entry.id} reactions={entry.reactions} nickOf={nickOf} />
      )}
      {actions && !entry.deleted && !editing ? (
        <MessageActions entry={entry} mine={mine}>
          {frames}
        </MessageActions>
      ) : (
        !editing && <div className="message-actions">{frames}</div>
      )}
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
        <span className="text">
          <VisibleText text={item.text} />
        </span>
        {item.files && (
          <span className="muted small"> + {item.files.map((file) => file.name).join(', ')}</span>
        )}
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
  const highlight = useStore((s) => (s.highlightedMessage?.channel === channel ? s.highlightedMessage : null))
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

  // A frame's "Go to message": bring that message into view and mark it.
  const highlightedOrder = useMemo(() => {
    if (!highlight) return undefined
    const found = entries.find(
      (e) =>
        e.kind === 'message' &&
        ((highlight.id !== undefined && e.id === highlight.id) ||
          (highlight.cid !== undefined && e.cid === highlight.cid))
    )
    return found?.order
  }, [highlight, entries])
  useEffect(() => {
    if (highlightedOrder === undefined) return
    const index = entries.findIndex((e) => e.order === highlightedOrder)
    if (index < 0) return
    stick.current = false
    virtuoso.current?.scrollToIndex({ index: index + firstItemIndex, align: 'center' })
    // Keyed on the click (`at`), not on the list: new messages must not pull the view back here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [highlight?.at, highlightedOrder])

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
            channel={channel}
            highlighted={entry.order === highlightedOrder}
          />
        </>
      )
    },
    [entries, firstItemIndex, meId, myNick, lastRead, editingId, flashId, channel, nickOf, highlightedOrder]
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
