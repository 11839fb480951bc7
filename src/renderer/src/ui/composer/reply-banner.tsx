import { useStore } from '../../store'
import { findMessageEntry, type ChannelKey } from '../../store/channel-log'

/** Above the message box while answering a message: whom, the start of what they said, and ✕. */
export function ReplyBanner({ channel }: { channel: ChannelKey }) {
  const cancelReply = useStore((s) => s.cancelReply)
  const replyingTo = useStore((s) => (s.replyingTo?.channel === channel ? s.replyingTo.id : undefined))
  const replied = useStore((s) =>
    replyingTo !== undefined ? findMessageEntry(s.logs[channel]?.entries ?? [], replyingTo) : undefined
  )
  if (replyingTo === undefined) return null
  return (
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
  )
}
