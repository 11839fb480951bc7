import { useId, useState, type FormEvent } from 'react'
import { useStore as useZustand } from 'zustand'
import { DEFAULT_HOST_OPTIONS, type HostScope } from '../../../shared/ipc'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { LabelledField } from '../ui/labelled-field'
import { HostSummary } from './host-summary'
import type { HostStore } from './host-store'

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null
  const port = Number(text)
  return port <= 65535 ? port : null
}

function HostForm({ store, onCancel }: { store: HostStore; onCancel: () => void }) {
  const start = useZustand(store, (s) => s.start)
  const starting = useZustand(store, (s) => s.status.state === 'starting')
  const error = useZustand(store, (s) => s.error)
  // Read once when the form opens: the last choices are a starting point, not live state.
  const [initial] = useState(() => store.getState().remembered)
  const [port, setPort] = useState(String(initial?.options?.port ?? DEFAULT_HOST_OPTIONS.port))
  const [name, setName] = useState(initial?.options?.name ?? DEFAULT_HOST_OPTIONS.name)
  const [password, setPassword] = useState('')
  const [scope, setScope] = useState<HostScope>(initial?.options?.scope ?? DEFAULT_HOST_OPTIONS.scope)
  const [nick, setNick] = useState(initial?.nickname ?? '')
  // TLS follows the scope ("Local network" on, "This computer only" off) until the person sets it.
  const [tlsChoice, setTlsChoice] = useState<boolean | null>(initial?.options?.tls ?? null)
  const tls = tlsChoice ?? scope === 'lan'
  const [mdns, setMdns] = useState(initial?.options?.mdns ?? true)
  const [formError, setFormError] = useState<string | null>(null)
  const errorId = useId()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const parsedPort = parsePort(port)
    if (parsedPort === null)
      return setFormError('The port is a number from 0 to 65535 (0 picks any free port).')
    if (!name.trim()) return setFormError('Give the server a name; people see it when they join.')
    if (!nick.trim()) return setFormError('Choose your nickname: you join your own server as a member.')
    setFormError(null)
    void start(
      {
        port: parsedPort,
        name: name.trim(),
        scope,
        portFallback: true,
        tls,
        mdns,
        ...(password ? { password } : {})
      },
      nick.trim()
    )
  }

  const shownError = formError ?? error
  return (
    <form
      className="host-form"
      onSubmit={submit}
      noValidate
      aria-describedby={shownError ? errorId : undefined}
    >
      <LabelledField
        label="Port"
        name="port"
        inputMode="numeric"
        value={port}
        onValueChange={setPort}
        autoComplete="off"
      />
      <LabelledField
        label="Server name"
        name="server-name"
        value={name}
        onValueChange={setName}
        maxLength={64}
      />
      <LabelledField
        label="Password"
        name="host-password"
        type="password"
        value={password}
        onValueChange={setPassword}
        placeholder="Leave empty for an open server"
        autoComplete="new-password"
      />
      <LabelledField
        label="Your nickname"
        name="host-nick"
        value={nick}
        onValueChange={setNick}
        maxLength={DEFAULT_LIMITS.maxNickLength}
        autoComplete="nickname"
      />
      <fieldset className="host-scope">
        <legend>Who can join</legend>
        <label>
          <input type="radio" name="scope" checked={scope === 'local'} onChange={() => setScope('local')} />
          This computer only
        </label>
        <label>
          <input type="radio" name="scope" checked={scope === 'lan'} onChange={() => setScope('lan')} />
          Local network
        </label>
      </fieldset>
      <fieldset className="host-scope host-security">
        <legend>Security and discovery</legend>
        <label>
          <input
            type="checkbox"
            name="tls"
            checked={tls}
            onChange={(event) => setTlsChoice(event.target.checked)}
          />
          Encrypt with TLS (self-signed certificate)
        </label>
        <label>
          <input
            type="checkbox"
            name="mdns"
            checked={mdns && scope === 'lan'}
            disabled={scope !== 'lan'}
            onChange={(event) => setMdns(event.target.checked)}
          />
          Announce on the local network
        </label>
      </fieldset>
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
