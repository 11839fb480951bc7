import { memo } from 'react'
import type { SystemEntry } from '../../store/channel-log'
import { formatTime } from '../format'

/** A line the client writes into the log itself, from presence: who joined or left the room. */
export const SystemRow = memo(function SystemRow({ entry }: { entry: SystemEntry }) {
  return (
    <div className="system-line">
      <span>{entry.text}</span>
      <time dateTime={new Date(entry.ts).toISOString()}>{formatTime(entry.ts)}</time>
    </div>
  )
})
