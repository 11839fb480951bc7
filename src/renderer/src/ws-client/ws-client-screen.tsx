import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { canHost } from '../host'
import { formatBytes, formatDuration } from '../ui/format'
import { LabelledField } from '../ui/labelled-field'
import { useNow } from '../ui/use-now'
import { WsClosePanel } from './ws-close-panel'
import { WsFactsPanel } from './ws-facts-panel'
import { WsFrameLog } from './ws-frame-log'
import { WsSendPanel } from './ws-send-panel'
import { WsSessionPanel } from './ws-session-panel'
import { useWsClient, type WsConnectionView } from './ws-client-store'
import './ws-client.css'

function ConnectionTab({ id, active }: { id: string; active: boolean }) {
  const name = useWsClient((s) => s.connections.find((c) => c.id === id)?.name ?? '')
  const state = useWsClient((s) => s.connections.find((c) => c.id === id)?.state ?? 'idle')
  const select = useWsClient((s) => s.select)
  return (
    <button
      type="button"
      className="ws-connection-tab"
      aria-current={active ? 'true' : undefined}
      onClick={() => select(id)}
    >
      <span className={`status-dot state-${state}`} aria-hidden="true" />
      <span className="ws-connection-name">{name || 'Unnamed'}</span>
      <span className="muted small">{state}</span>
    </button>
  )
}

function ConnectionList() {
  const ids = useWsClient(useShallow((s) => s.connections.map((c) => c.id)))
  const activeId = useWsClient((s) => s.activeId)
  const add = useWsClient((s) => s.addConnection)
  return (
    <nav className="ws-connections" aria-label="Connections">
      <ul>
        {ids.map((id) => (
          <li key={id}>
            <ConnectionTab id={id} active={id === activeId} />
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => add()}>
        New connection
      </button>
    </nav>
  )
}

function RequestHeaders({ c }: { c: WsConnectionView }) {
  const configure = useWsClient((s) => s.configure)
  const count = c.headers.split(/\r?\n/).filter((line) => line.trim() && !line.trim().startsWith('#')).length
  return (
    <details className="ws-headers-note small" open={canHost && count > 0 ? true : undefined}>
      <summary>Request headers{count > 0 ? ` (${count})` : ''}</summary>
      {canHost ? (
        <>
          <label>
            Request headers
            <textarea
              className="mono"
              rows={3}
              value={c.headers}
              spellCheck={false}
              placeholder={'Authorization: Bearer …\nX-Client: parley'}
              onChange={(e) => configure(c.id, { headers: e.target.value })}
            />
          </label>
          <p className="muted">
            One “Name: value” per line. With headers, the app&apos;s main process makes the connection (a page
            cannot set them) and a refused handshake shows its HTTP status; without, the page&apos;s own
            WebSocket does, as a browser would.
          </p>
        </>
      ) : (
        <p>
          A browser cannot set request headers on a WebSocket handshake: only the URL, the subprotocols
          (Sec-WebSocket-Protocol) and the cookies for that host go out. Put a token in the URL&apos;s query
          or in a subprotocol, or use the desktop app, which can send custom headers.
        </p>
      )}
    </details>
  )
}

function ConnectionForm({ c }: { c: WsConnectionView }) {
  const configure = useWsClient((s) => s.configure)
  const open = useWsClient((s) => s.open)
  const close = useWsClient((s) => s.close)
  const remove = useWsClient((s) => s.removeConnection)
  const [problem, setProblem] = useState<string | null>(null)
  const now = useNow(250, c.nextAttemptAt !== null)
  const live = c.state === 'open' || c.state === 'connecting'
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setProblem(open(c.id))
  }
  return (
    <form className="ws-connect" onSubmit={submit} noValidate>
      <div className="ws-connect-row">
        <LabelledField
          label="Connection name"
          value={c.name}
          onValueChange={(name) => configure(c.id, { name })}
          className="narrow-name"
        />
        <LabelledField
          label="WebSocket URL"
          labelClassName="grow"
          value={c.url}
          onValueChange={(url) => configure(c.id, { url })}
          placeholder="wss://echo.example.com/socket"
          className="mono"
          spellCheck={false}
          autoComplete="url"
        />
        <LabelledField
          label="Subprotocols"
          value={c.protocols}
          onValueChange={(protocols) => configure(c.id, { protocols })}
          placeholder="comma-separated, e.g. graphql-ws"
          className="mono"
          spellCheck={false}
        />
      </div>
      <div className="ws-connect-row">
        <button type="submit" className="primary">
          {live ? 'Reopen' : 'Open'}
        </button>
        {live && (
          <button type="button" onClick={() => setProblem(close(c.id))}>
            Disconnect
          </button>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={c.autoReconnect}
            onChange={(e) => configure(c.id, { autoReconnect: e.target.checked })}
          />
          Reconnect automatically
        </label>
        <span className={`state-chip state-${c.state}`} role="status" aria-label="Connection state">
          {c.state}
        </span>
        {c.handshake && c.state === 'open' && (
          <span className="small muted">
            subprotocol <span className="mono">{c.handshake.protocol || '(none)'}</span> · buffered{' '}
            <span className="mono">{formatBytes(c.bufferedAmount)}</span>
          </span>
        )}
        {c.nextAttemptAt !== null && (
          <span className="small">
            Reconnecting in {formatDuration(Math.max(0, c.nextAttemptAt - now))}{' '}
            <button type="button" className="link" onClick={() => setProblem(open(c.id))}>
              Now
            </button>
          </span>
        )}
        <span className="grow" />
        <button type="button" className="link danger" onClick={() => remove(c.id)}>
          Remove connection
        </button>
      </div>
      {problem && (
        <p className="form-error small" role="alert">
          {problem}
        </p>
      )}
      <RequestHeaders c={c} />
    </form>
  )
}

export function WsClientScreen() {
  const setVisible = useWsClient((s) => s.setVisible)
  const active = useWsClient((s) => s.connections.find((c) => c.id === s.activeId) ?? s.connections[0])
  useEffect(() => {
    document.title = 'WebSocket client · Parley'
  }, [])
  if (!active) return null
  const canSend = active.state === 'open'
  return (
    <main className="ws-client">
      <header className="ws-client-header">
        <h1>WebSocket client</h1>
        <p className="muted small">
          Any ws:// or wss:// server: frames, closes and the handshake, explained.
        </p>
        <button type="button" className="link" onClick={() => setVisible(false)}>
          Back to Parley
        </button>
      </header>
      <div className="ws-client-body">
        <ConnectionList />
        <section className="ws-connection" aria-label={`Connection ${active.name}`} key={active.id}>
          <ConnectionForm c={active} />
          <div className="ws-workspace">
            <WsFrameLog connectionId={active.id} />
            <div className="ws-side">
              <WsSendPanel connectionId={active.id} canSend={canSend} />
              <WsClosePanel
                connectionId={active.id}
                canClose={active.state === 'open' || active.state === 'connecting'}
              />
              <WsSessionPanel connectionId={active.id} canSend={canSend} />
              <WsFactsPanel connection={active} />
            </div>
          </div>
        </section>
      </div>
    </main>
  )
}
