import { useEffect, useId, useState, type FormEvent } from 'react'
import { DEFAULT_LIMITS } from '../../../shared/protocol'
import { displayServerAddress, joinLinkFingerprint, normalizeServerAddress } from '../engine/server-address'
import { HostPanel } from '../host'
import { useStore } from '../store'
import { InspectorPanel } from './inspector/inspector-panel'
import { LabelledField } from './labelled-field'
import { LanServers } from './lan-servers'
import { PreferencesControls } from './preferences-controls'
import { RecentServers } from './recent-servers'
import { appPreferences, usePreferences } from '../store/app-preferences'
import type { RecentServer } from '../store/preferences'
import { loadLastSession } from '../store/session-memory'
import './connect-screen.css'
import { useWsClient } from '../ws-client/ws-client-store'

/**
 * The address to offer first: when this page was served by a Parley server (no desktop bridge)
 * that server is almost certainly the one to join. Served over https (behind a TLS proxy, see
 * docs/deploy.md) it must be wss: a page on https may not open a ws:// socket at all.
 */
function initialAddress(recent: RecentServer[]): string {
  if (typeof window !== 'undefined' && !window.parley && /^https?:$/.test(window.location.protocol)) {
    return window.location.protocol === 'https:' ? `wss://${window.location.host}` : window.location.host
  }
  return recent[0] ? displayServerAddress(recent[0].url) : 'localhost:8080'
}

/**
 * After a reload, go straight back into the chat this tab was in (when it needed no password,
 * which is never stored). Module-level so React's development double-mount cannot run it twice.
 */
let resumeAttempted = false
function resumeLastSession(): void {
  if (resumeAttempted) return
  resumeAttempted = true
  const last = loadLastSession()
  if (last && !last.needsPassword) useStore.getState().connect({ url: last.url, nick: last.nick })
}

export function ConnectScreen() {
  useEffect(resumeLastSession, [])
  const connect = useStore((s) => s.connect)
  const status = useStore((s) => s.status)
  const problem = useStore((s) => s.problem)
  const hasEngine = useStore((s) => s.engine !== null)
  const inspectorOpen = useStore((s) => s.inspectorOpen)
  const toggleInspector = useStore((s) => s.toggleInspector)
  const recent = usePreferences((s) => s.recentServers)
  const [address, setAddress] = useState(() => initialAddress(recent))
  const [nick, setNick] = useState(() => appPreferences.getState().nickname || (recent[0]?.nick ?? ''))
  const [password, setPassword] = useState('')
  const [formError, setFormError] = useState<string | null>(null)
  const errorId = useId()
  const busy = status === 'connecting' || status === 'authenticating'

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const normalized = normalizeServerAddress(address)
    if (!normalized.ok) {
      setFormError(normalized.message)
      return
    }
    if (!nick.trim()) {
      setFormError('Choose a nickname so people know who is talking.')
      return
    }
    setFormError(null)
    const request = { url: normalized.url, nick: nick.trim(), ...(password ? { password } : {}) }
    const fingerprint = joinLinkFingerprint(address)
    if (fingerprint && window.parley) {
      // Main must know the link's fingerprint before Chromium asks it about the certificate.
      void window.parley.trust
        .expect({ host: new URL(normalized.url).hostname, fingerprint })
        .catch(() => undefined)
        .then(() => connect(request))
      return
    }
    connect(request)
  }

  const shownError = formError ?? (problem ? `${problem.title}. ${problem.detail}` : null)

  return (
    <main className="connect-screen">
      <div className="connect-card">
        <h1 className="brand">Parley</h1>
        <p className="muted">Join a chat server on your network.</p>
        <form onSubmit={submit} aria-describedby={shownError ? errorId : undefined} noValidate>
          <LabelledField
            label="Server address"
            name="address"
            value={address}
            onValueChange={setAddress}
            placeholder="192.168.1.20:8080"
            autoComplete="url"
            spellCheck={false}
            required
          />
          <LabelledField
            label="Nickname"
            name="nick"
            value={nick}
            onValueChange={setNick}
            maxLength={DEFAULT_LIMITS.maxNickLength}
            autoComplete="nickname"
            autoFocus
            required
          />
          <LabelledField
            label="Password"
            name="password"
            type="password"
            value={password}
            onValueChange={setPassword}
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
        <LanServers
          onPick={(server) => {
            setAddress(displayServerAddress(server.url))
            setFormError(null)
          }}
        />
        <RecentServers
          onPick={(pickedAddress, pickedNick) => {
            setAddress(pickedAddress)
            setNick(pickedNick)
          }}
        />
        <section aria-label="Other tools" className="other-tools">
          <button type="button" onClick={() => useWsClient.getState().setVisible(true)}>
            WebSocket client
          </button>
          <span className="muted small">Open any ws:// server and inspect its frames.</span>
        </section>
        <PreferencesControls />
      </div>
      <HostPanel />
      {inspectorOpen && hasEngine && (
        <div className="inspector-drawer">
          <InspectorPanel />
        </div>
      )}
    </main>
  )
}
