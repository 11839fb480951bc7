/**
 * What a person can do to one message, shown on hover and focus: reply, react, and for their
 * own edit and delete (delete asks first: it cannot be undone). Plus the in-place editor.
 */
import { useState, type ReactNode } from 'react'
import { useStore } from '../store'
import type { MessageEntry } from '../store/channel-log'
import { Icon } from './icons'
import { ReactionPicker } from './reactions'

export function MessageActions({
  entry,
  mine,
  children
}: {
  entry: MessageEntry
  mine: boolean
  /** More buttons for the same toolbar (the inspector's "Show frames"). */
  children?: ReactNode
}) {
  const startReply = useStore((s) => s.startReply)
  const startEdit = useStore((s) => s.startEdit)
  const deleteMessage = useStore((s) => s.deleteMessage)
  const [open, setOpen] = useState<'picker' | 'confirm' | null>(null)
  return (
    <>
      <div className="message-actions" role="toolbar" aria-label="Message actions">
        <button type="button" aria-label="Reply" title="Reply" onClick={() => startReply(entry.id)}>
          <Icon name="reply" />
        </button>
        <button
          type="button"
          aria-label="Add reaction"
          title="Add reaction"
          aria-expanded={open === 'picker'}
          onClick={() => setOpen(open === 'picker' ? null : 'picker')}
        >
          <Icon name="smile" />
        </button>
        {mine && (
          <>
            <button type="button" aria-label="Edit message" title="Edit" onClick={() => startEdit(entry.id)}>
              <Icon name="edit" />
            </button>
            <button
              type="button"
              aria-label="Delete message"
              title="Delete"
              className="danger"
              onClick={() => setOpen('confirm')}
            >
              <Icon name="trash" />
            </button>
          </>
        )}
        {children}
      </div>
      {open === 'picker' && <ReactionPicker id={entry.id} onClose={() => setOpen(null)} />}
      {open === 'confirm' && (
        <div
          className="confirm-delete"
          role="alertdialog"
          aria-label="Delete message?"
          onKeyDown={(e) => e.key === 'Escape' && setOpen(null)}
        >
          <span>Delete this message for everyone? This cannot be undone.</span>
          <button
            type="button"
            className="danger-button"
            onClick={() => {
              deleteMessage(entry.id)
              setOpen(null)
            }}
          >
            Delete
          </button>
          <button type="button" autoFocus onClick={() => setOpen(null)}>
            Cancel
          </button>
        </div>
      )}
    </>
  )
}

export function MessageEditor({ entry }: { entry: MessageEntry }) {
  const saveEdit = useStore((s) => s.saveEdit)
  const cancelEdit = useStore((s) => s.cancelEdit)
  const [text, setText] = useState(entry.text)
  return (
    <form
      className="message-editor"
      onSubmit={(e) => {
        e.preventDefault()
        saveEdit(entry.id, text)
      }}
    >
      <textarea
        aria-label="Edit message"
        dir="auto"
        value={text}
        autoFocus
        rows={Math.min(8, text.split('\n').length)}
        onFocus={(e) => e.target.setSelectionRange(e.target.value.length, e.target.value.length)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') cancelEdit()
          else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            saveEdit(entry.id, text)
          }
        }}
      />
      <div className="editor-buttons small">
        Escape to{' '}
        <button type="button" className="link" onClick={cancelEdit}>
          cancel
        </button>{' '}
        · Enter to{' '}
        <button type="submit" className="link">
          save
        </button>
      </div>
    </form>
  )
}
