/**
 * The message box of a channel: Enter sends (with the files ready in the upload tray), @mentions
 * complete from the member list, Up edits your last message, and a reply shows whom it answers.
 */
import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { UploadTray } from '../files/upload-tray'
import { useStore } from '../store'
import { isDmKey, type ChannelKey, type MessageEntry } from '../store/channel-log'
import { AttachButton } from './composer/attach-button'
import { MentionSuggestions } from './composer/mention-suggestions'
import { ReplyBanner } from './composer/reply-banner'
import { useChannelUploads } from './composer/use-channel-uploads'
import { useMentionCompletion } from './composer/use-mention-completion'
import { replaceShortcodes } from './emoji'

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
  const meId = useStore((s) => s.me?.id)
  const uploads = useChannelUploads(channel)
  const [text, setText] = useState('')
  const [caret, setCaret] = useState(0)
  const mention = useMentionCompletion(channel, { text, caret, box }, (next, at) => {
    setText(next)
    setCaret(at)
  })
  const tooLong = text.length > DEFAULT_LIMITS.maxTextLength
  // A message is text, files, or both: a pasted screenshot needs no caption.
  const canSend = (text.trim() !== '' || uploads.readyCount > 0) && !tooLong

  // The chat screen appears once connected, and a switched channel is one to write in: either way
  // the next thing typed belongs in the message box, not on the button that was just pressed.
  useEffect(() => {
    box.current?.focus()
  }, [channel])
  // Reply was pressed on a message: the answer is typed here.
  useEffect(() => {
    if (replyingTo !== undefined) box.current?.focus()
  }, [replyingTo])

  const send = () => {
    if (!canSend) return
    uploads.sendReady((files) => sendMessage(replaceShortcodes(text), files))
    setText('')
  }

  // Enter sends, Shift+Enter breaks the line; IME composition keeps its own Enter.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention.handleKey(event)) return
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
    uploads.attach(files)
  }

  const suggesting = mention.suggestions.length > 0
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
        <ReplyBanner channel={channel} />
        {suggesting && (
          <MentionSuggestions
            suggestions={mention.suggestions}
            choice={mention.choice}
            onPick={mention.complete}
          />
        )}
        <AttachButton enabled={uploads.canAttach} onFiles={uploads.attach} />
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
            mention.resetChoice()
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
