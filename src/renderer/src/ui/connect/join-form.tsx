import { useId } from 'react'
import { DEFAULT_LIMITS } from '../../../../shared/protocol'
import { useStore } from '../../store'
import { LabelledField } from '../labelled-field'
import type { JoinForm as JoinFormState } from './use-join-form'

/** Server address, nickname and password, Connect, and the way into the inspector while it tries. */
export function JoinForm({ form }: { form: JoinFormState }) {
  const status = useStore((s) => s.status)
  const hasEngine = useStore((s) => s.engine !== null)
  const inspectorOpen = useStore((s) => s.inspectorOpen)
  const toggleInspector = useStore((s) => s.toggleInspector)
  const errorId = useId()
  const busy = status === 'connecting' || status === 'authenticating'
  const { shownError } = form
  return (
    <form onSubmit={form.submit} aria-describedby={shownError ? errorId : undefined} noValidate>
      <LabelledField
        label="Server address"
        name="address"
        value={form.address}
        onValueChange={form.setAddress}
        placeholder="192.168.1.20:8080"
        autoComplete="url"
        spellCheck={false}
        required
      />
      <LabelledField
        label="Nickname"
        name="nick"
        value={form.nick}
        onValueChange={form.setNick}
        maxLength={DEFAULT_LIMITS.maxNickLength}
        autoComplete="nickname"
        autoFocus
        required
      />
      <LabelledField
        label="Password"
        name="password"
        type="password"
        value={form.password}
        onValueChange={form.setPassword}
        placeholder="Only if the server has one"
        autoComplete="current-password"
      />
      {shownError && (
        <div className="form-error" role="alert" id={errorId}>
          {shownError}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Connect
      </button>
      {busy && (
        <p className="muted" aria-live="polite">
          {status === 'connecting' ? 'Connecting…' : 'Signing in…'}
        </p>
      )}
      {hasEngine && (
        // A failed sign-in is exactly when the handshake facts and close row help most.
        <button
          type="button"
          className="link"
          aria-pressed={inspectorOpen}
          aria-keyshortcuts="Control+Shift+I"
          onClick={() => toggleInspector()}
        >
          Inspector
        </button>
      )}
    </form>
  )
}
