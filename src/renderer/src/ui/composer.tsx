import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { useStore } from '../store'

export function Composer({ channel, placeholder }: { channel: string; placeholder: string }) {
  const sendMessage = useStore((s) => s.sendMessage)
  const box = useRef<HTMLTextAreaElement>(null)
  const notifyTyping = useStore((s) => s.notifyTyping)
  const [text, setText] = useState('')
  const tooLong = text.length > DEFAULT_LIMITS.maxTextLength

  // The chat screen appears once connected, and a switched channel is one to write in: either way
  // the next thing typed belongs in the message box, not on the button that was just pressed.
  useEffect(() => {
    box.current?.focus()
  }, [channel])

  const send = () => {
    if (!text.trim() || tooLong) return
    sendMessage(text)
    setText('')
  }

  // Enter sends, Shift+Enter breaks the line; IME composition keeps its own Enter.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      send()
    }
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
    >
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
        aria-invalid={tooLong || undefined}
      />
      {tooLong && (
        <span className="form-error small" role="alert">
          {text.length - DEFAULT_LIMITS.maxTextLength} characters over the limit
        </span>
      )}
      <button type="submit" className="primary" disabled={!text.trim() || tooLong}>
        Send
      </button>
    </form>
  )
}
