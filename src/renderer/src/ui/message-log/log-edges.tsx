/**
 * The virtual list's header and footer: the start of the room (or "Loading older messages…")
 * above the first row, the person's pending messages below the last.
 */
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../../store'
import { isDmKey } from '../../store/channel-log'
import { targetKey } from '../../store/selectors'
import { PendingRow } from './pending-row'

/** What Virtuoso hands the header and footer: they are stable components, so the channel comes this way. */
export interface LogContext {
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

export const LOG_COMPONENTS = { Header: LoadingHeader, Footer: PendingFooter }
