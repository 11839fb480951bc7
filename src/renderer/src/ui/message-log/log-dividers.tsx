import { formatDay } from '../format'

export function NewDivider() {
  return (
    <div className="new-divider" role="separator" aria-label="New messages">
      <span>New</span>
    </div>
  )
}

export function DayDivider({ ts }: { ts: number }) {
  return (
    <div className="day-divider" role="separator" aria-label={formatDay(ts)}>
      <span>{formatDay(ts)}</span>
    </div>
  )
}
