import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { UploadTray } from '../files/upload-tray'
import { useUploads } from '../files/upload-store'
import { useUploadTarget } from '../files/use-upload-target'
import type { ChannelKey } from '../store/channel-log'
import { useStore } from '../store'

export function Composer({ channel, placeholder }: { channel: ChannelKey; placeholder: string }) {
  const sendMessage = useStore((s) => s.sendMessage)
  const box = useRef<HTMLTextAreaElement>(null)
  const notifyTyping = useStore((s) => s.notifyTyping)
  const addUploads = useUploads((s) => s.add)
  const readyCount = useUploads(
    (s) => s.uploads.filter((u) => u.channel === channel && u.status === 'ready').length
  )
  const target = useUploadTarget()
  const picker = useRef<HTMLInputElement>(null)
  const [text, setText] = useState('')
  const tooLong = text.length > DEFAULT_LIMITS.maxTextLength
  // A message is text, files, or both: a pasted screenshot needs no caption.
  const canSend = (text.trim() !== '' || readyCount > 0) && !tooLong

  // The chat screen appears once connected, and a switched channel is one to write in: either way
  // the next thing typed belongs in the message box, not on the button that was just pressed.
  useEffect(() => {
    box.current?.focus()
  }, [channel])

  const send = () => {
    if (!canSend) return
    const uploads = useUploads.getState()
    // Only what finished uploading goes; an upload still running waits in the tray for the next one.
    sendMessage(text, uploads.readyIn(channel))
    uploads.sent(channel)
    setText('')
  }

  const attach = (files: File[]) => {
    if (target && files.length > 0) addUploads(channel, files, target)
  }

  // Enter sends, Shift+Enter breaks the line; IME composition keeps its own Enter.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      send()
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
            if (e.target.value) notifyTyping()
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          aria-invalid={tooLong || undefined}
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
