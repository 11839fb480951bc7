import { useId, useState } from 'react'
import { useStore as useZustand } from 'zustand'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { LabelledField } from '../ui/labelled-field'
import { HostScopeChoice, HostSecurityChoice } from './host-choices'
import { HostSummary } from './host-summary'
import type { HostStore } from './host-store'
import { useHostForm } from './use-host-form'

function HostForm({ store, onCancel }: { store: HostStore; onCancel: () => void }) {
  const starting = useZustand(store, (s) => s.status.state === 'starting')
  const error = useZustand(store, (s) => s.error)
  const form = useHostForm(store)
  const errorId = useId()

  const shownError = form.formError ?? error
  return (
    <form
      className="host-form"
      onSubmit={form.submit}
      noValidate
      aria-describedby={shownError ? errorId : undefined}
    >
      <LabelledField
        label="Port"
        name="port"
        inputMode="numeric"
        value={form.port}
        onValueChange={form.setPort}
        autoComplete="off"
      />
      <LabelledField
        label="Server name"
        name="server-name"
        value={form.name}
        onValueChange={form.setName}
        maxLength={64}
      />
      <LabelledField
        label="Password"
        name="host-password"
        type="password"
        value={form.password}
        onValueChange={form.setPassword}
        placeholder="Leave empty for an open server"
        autoComplete="new-password"
      />
      <LabelledField
        label="Your nickname"
        name="host-nick"
        value={form.nick}
        onValueChange={form.setNick}
        maxLength={DEFAULT_LIMITS.maxNickLength}
        autoComplete="nickname"
      />
      <HostScopeChoice form={form} />
      <HostSecurityChoice form={form} />
      {shownError && (
        <p className="host-error" role="alert" id={errorId}>
          {shownError}
        </p>
      )}
      <div className="host-actions">
        <button type="submit" className="primary" disabled={starting}>
          {starting ? 'Starting…' : 'Start server'}
        </button>
        <button type="button" className="link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

function SettingsProblem({ store }: { store: HostStore }) {
  const problem = useZustand(store, (s) => s.settingsProblem)
  const dismiss = useZustand(store, (s) => s.dismissSettingsProblem)
  if (!problem) return null
  return (
    <div className="host-settings-problem" role="status">
      <span>Your settings were reset. {problem}</span>
      <button type="button" className="link" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  )
}

export function HostPanelView({ store }: { store: HostStore }) {
  return (
    <>
      <SettingsProblem store={store} />
      <HostPanelBody store={store} />
    </>
  )
}

function HostPanelBody({ store }: { store: HostStore }) {
  const state = useZustand(store, (s) => s.status.state)
  const [open, setOpen] = useState(false)
  const headingId = useId()
  if (state === 'running' || state === 'stopping') {
    return (
      <section className="host-panel" aria-labelledby={headingId}>
        <h2 id={headingId}>Your server</h2>
        <HostSummary store={store} />
      </section>
    )
  }
  if (!open) {
    return (
      <div className="host-panel host-cta">
        <button type="button" onClick={() => setOpen(true)}>
          Host a server
        </button>
        <p className="muted">Run a chat server on this computer and invite people on your network.</p>
      </div>
    )
  }
  return (
    <section className="host-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Host a server</h2>
      <HostForm store={store} onCancel={() => setOpen(false)} />
    </section>
  )
}
