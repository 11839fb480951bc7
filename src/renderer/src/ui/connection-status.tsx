import { useStore } from '../store'
import { statusText } from './status-text'
import { useNow } from './use-now'

export function ConnectionStatus() {
  const status = useStore((s) => s.status)
  const nextAttemptAt = useStore((s) => s.nextAttemptAt)
  const admitted = useStore((s) => s.admitted)
  const now = useNow(500, status === 'reconnecting')
  return (
    <div role="status" aria-label="Connection status" className={`connection-status status-${status}`}>
      <span className="status-dot" aria-hidden="true" />
      {statusText(status, nextAttemptAt, now, admitted)}
    </div>
  )
}
