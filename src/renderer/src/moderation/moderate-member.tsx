import { useState } from 'react'
import type { User } from '../../../shared/protocol'
import { useModeration } from './moderation-store'
import './moderation.css'

/** The owner's and moderators' controls on one member: a reason, then Kick or Ban. */
export function ModerateMember({ member }: { member: User }) {
  const role = useModeration((s) => s.role)
  const remove = useModeration((s) => s.remove)
  const nameModerator = useModeration((s) => s.nameModerator)
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  if (role === 'member') return null
  const act = async (kind: 'kick' | 'ban') => {
    setBusy(true)
    await remove(kind, member, reason)
    setBusy(false)
    setOpen(false)
    setReason('')
  }
  if (!open) {
    return (
      <button
        type="button"
        className="icon moderate"
        aria-label={`Moderate ${member.nick}`}
        title={`Kick or ban ${member.nick}`}
        onClick={() => setOpen(true)}
      >
        ⋯
      </button>
    )
  }
  return (
    <form
      className="moderate-form"
      aria-label={`Moderate ${member.nick}`}
      onSubmit={(event) => {
        event.preventDefault()
        void act('kick')
      }}
    >
      <input
        aria-label={`Reason for removing ${member.nick}`}
        placeholder="Reason (shown to them)"
        maxLength={200}
        value={reason}
        autoFocus
        onChange={(event) => setReason(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false)
        }}
      />
      <div className="moderate-actions">
        <button type="submit" disabled={busy}>
          Kick
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void act('ban')}>
          Ban
        </button>
        {role === 'owner' && (
          <button
            type="button"
            disabled={busy}
            onClick={async () => {
              setBusy(true)
              await nameModerator(member)
              setBusy(false)
              setOpen(false)
            }}
          >
            Make moderator
          </button>
        )}
        <button type="button" className="link" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** What became of the last kick or ban, for the person who did it. */
export function ModerationOutcome() {
  const outcome = useModeration((s) => s.outcome)
  const dismiss = useModeration((s) => s.dismissOutcome)
  if (!outcome) return null
  return (
    <div className={outcome.ok ? 'notice' : 'notice failed'} role="status">
      {outcome.message}
      <button type="button" className="icon" aria-label="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  )
}
