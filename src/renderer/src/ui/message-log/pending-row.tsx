import { useStore } from '../../store'
import type { OutboxItem } from '../../engine/outbox'
import { VisibleText } from './message-body'

/** One of the person's messages not yet echoed by the server: pending, or failed with Retry and Discard. */
export function PendingRow({ item, connected }: { item: OutboxItem; connected: boolean }) {
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
