/** One chat message in the log: its reply quote, author header, text, files, reactions and actions. */
import { memo } from 'react'
import { FileAttachments } from '../../files/file-attachments'
import { useStore } from '../../store'
import type { MessageEntry } from '../../store/channel-log'
import { formatTime } from '../format'
import { revealHidden } from '../hidden-chars'
import { MessageActions, MessageEditor } from '../message-actions'
import { ReactionChips } from '../reactions'
import { mentions } from '../rich-text'
import { MessageBody } from './message-body'
import { ReplyQuote } from './reply-quote'

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

function MessageHeader({ entry, fromServer }: { entry: MessageEntry; fromServer: boolean }) {
  return (
    <header>
      <bdi className="author">{entry.from.nick}</bdi>
      {fromServer && (
        <span className="server-badge" title="Sent by the server's operator, not by a user">
          server
        </span>
      )}
      <time dateTime={new Date(entry.ts).toISOString()}>{formatTime(entry.ts)}</time>
    </header>
  )
}

function MessageText({
  entry,
  mine,
  myNick,
  editing
}: {
  entry: MessageEntry
  mine: boolean
  myNick: string | undefined
  editing: boolean
}) {
  if (entry.deleted) return <div className="message-text deleted">message deleted</div>
  if (editing) return <MessageEditor entry={entry} />
  return (
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
  )
}

export interface MessageRowProps {
  entry: MessageEntry
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
}

export const MessageRow = memo(function MessageRow({
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
}: MessageRowProps) {
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
      {showHeader && <MessageHeader entry={entry} fromServer={fromServer} />}
      <MessageText entry={entry} mine={mine} myNick={myNick} editing={editing} />
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
