import { useEffect, useMemo, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react'
import { DEFAULT_LIMITS, type User } from '../../../shared/protocol'
import { UploadTray } from '../files/upload-tray'
import { useUploads } from '../files/upload-store'
import { useUploadTarget } from '../files/use-upload-target'
import { useStore } from '../store'
import { findMessageEntry, isDmKey, type ChannelKey, type MessageEntry } from '../store/channel-log'
import { replaceShortcodes } from './emoji'

const NO_MEMBERS: User[] = []
/** The `@partial` being typed right before the caret, if any. */
const MENTION_AT_CARET = /(?:^|\s)@([\p{L}\p{N}_.-]*)$/u

function lastOwnMessage(
  entries: readonly { kind: string }[],
  meId: string | undefined
): MessageEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as MessageEntry
    if (entry.kind === 'message' && entry.from.id === meId && !entry.deleted) return entry
  }
  return undefined
}

export function Composer({ channel, placeholder }: { channel: ChannelKey; placeholder: string }) {
  const sendMessage = useStore((s) => s.sendMessage)
  const box = useRef<HTMLTextAreaElement>(null)
  const notifyTyping = useStore((s) => s.notifyTyping)
  const startEdit = useStore((s) => s.startEdit)
  const cancelReply = useStore((s) => s.cancelReply)
  const replyingTo = useStore((s) => (s.replyingTo?.channel === channel ? s.replyingTo.id : undefined))
  const replied = useStore((s) =>
    replyingTo !== undefined ? findMessageEntry(s.logs[channel]?.entries ?? [], replyingTo) : undefined
  )
  const members = useStore((s) => (isDmKey(channel) ? undefined : s.members[channel]) ?? NO_MEMBERS)
  const meId = useStore((s) => s.me?.id)
  const addUploads = useUploads((s) => s.add)
  const readyCount = useUploads(
    (s) => s.uploads.filter((u) => u.channel === channel && u.status === 'ready').length
  )
  const target = useUploadTarget()
  const picker = useRef<HTMLInputElement>(null)
  const [text, setText] = useState('')
  const [caret, setCaret] = useState(0)
  const [choice, setChoice] = useState(0)
  const tooLong = text.length > DEFAULT_LIMITS.maxTextLength
  // A message is text, files, or both: a pasted screenshot needs no caption.
  const canSend = (text.trim() !== '' || readyCount > 0) && !tooLong

  // The chat screen appears once connected, and a switched channel is one to write in: either way
  // the next thing typed belongs in the message box, not on the button that was just pressed.
  useEffect(() => {
    box.current?.focus()
  }, [channel])
  // Reply was pressed on a message: the answer is typed here.
  useEffect(() => {
    if (replyingTo !== undefined) box.current?.focus()
  }, [replyingTo])

  const partial = MENTION_AT_CARET.exec(text.slice(0, caret))?.[1]
  const suggestions = useMemo(() => {
    if (partial === undefined) return []
    const p = partial.toLowerCase()
    return members.filter((m) => m.id !== meId && m.nick.toLowerCase().startsWith(p)).slice(0, 8)
  }, [partial, members, meId])
  const suggesting = suggestions.length > 0

  const send = () => {
    if (!canSend) return
    const uploads = useUploads.getState()
    // Only what finished uploading goes; an upload still running waits in the tray for the next one.
    sendMessage(replaceShortcodes(text), uploads.readyIn(channel))
    uploads.sent(channel)
    setText('')
  }

  const attach = (files: File[]) => {
    if (target && files.length > 0) addUploads(channel, files, target)
  }

  const complete = (nick: string) => {
    const before = text.slice(0, caret).replace(/@[\p{L}\p{N}_.-]*$/u, `@${nick} `)
    const next = before + text.slice(caret)
    setText(next)
    setCaret(before.length)
    setChoice(0)
    requestAnimationFrame(() => box.current?.setSelectionRange(before.length, before.length))
  }

  // Enter sends, Shift+Enter breaks the line; IME composition keeps its own Enter.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggesting) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault()
        const step = event.key === 'ArrowDown' ? 1 : -1
        setChoice((c) => (c + step + suggestions.length) % suggestions.length)
        return
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && !event.nativeEvent.isComposing) {
        event.preventDefault()
        complete((suggestions[choice] ?? suggestions[0])!.nick)
        return
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      send()
    } else if (event.key === 'ArrowUp' && text === '' && !isDmKey(channel)) {
      // As in Slack and Discord: Up in an empty box edits your last message.
      const last = lastOwnMessage(useStore.getState().logs[channel]?.entries ?? [], meId)
      if (last) {
        event.preventDefault()
        startEdit(last.id)
      }
    } else if (event.key === 'Escape' && replyingTo !== undefined) {
      cancelReply()
    }
  }

  // A screenshot pasted from the clipboard arrives as a file; pasted text stays text.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files]
    if (files.length === 0) return
    event.preventDefault()
    attach(files)
  }

  return (
    <div className="composer-area">
      <UploadTray channel={channel} />
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault()
          send()
        }}
      >
        {replyingTo !== undefined && (
          <div className="replying-to" role="status">
            <span>
              Replying to <bdi className="author">{replied?.from.nick ?? 'a message'}</bdi>
              {replied && !replied.deleted && (
                <span className="muted" dir="auto">
                  {' '}
                  {replied.text.split('\n', 1)[0]?.slice(0, 80)}
                </span>
              )}
            </span>
            <button type="button" className="link" aria-label="Cancel reply" onClick={cancelReply}>
              ✕
            </button>
          </div>
        )}
        {suggesting && (
          <ul className="mention-suggestions" role="listbox" aria-label="Mention someone">
            {suggestions.map((m, i) => (
              <li
                key={m.id}
                role="option"
                aria-selected={i === choice}
                onPointerDown={(e) => {
                  e.preventDefault()
                  complete(m.nick)
                }}
              >
                @<bdi>{m.nick}</bdi>
              </li>
            ))}
          </ul>
        )}
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          onChange={(event) => {
            attach([...(event.target.files ?? [])])
            event.target.value = ''
          }}
        />
        <button
          type="button"
          className="attach"
          aria-label="Attach file"
          title={
            target
              ? 'Attach file (or drop files here, or paste an image)'
              : 'Files can be attached once connected'
          }
          disabled={!target}
          onClick={() => picker.current?.click()}
        >
          <span aria-hidden="true">＋</span>
        </button>
        <textarea
          ref={box}
          dir="auto"
          aria-label="Message"
          placeholder={placeholder}
          value={text}
          rows={1}
          onChange={(e) => {
            setText(e.target.value)
            setCaret(e.target.selectionStart)
            setChoice(0)
            if (e.target.value) notifyTyping()
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-invalid={tooLong || undefined}
          aria-autocomplete="list"
          aria-expanded={suggesting}
        />
        {tooLong && (
          <span className="form-error small" role="alert">
            {text.length - DEFAULT_LIMITS.maxTextLength} characters over the limit
          </span>
        )}
        <button type="submit" className="primary" disabled={!canSend}>
          Send
        </button>
      </form>
    </div>
  )
}
