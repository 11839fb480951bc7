import { formatBytes, formatDuration, formatPreciseTime } from '../ui/format'
import type { WsConnectionView } from './ws-client-store'

function Handshake({ c }: { c: WsConnectionView }) {
  const h = c.handshake
  return (
    <section aria-label="Handshake">
      <h3>Handshake</h3>
      <dl className="facts">
        <dt>URL</dt>
        <dd className="mono">{h?.url ?? (c.url || '—')}</dd>
        <dt>Offered</dt>
        <dd className="mono">{h ? h.offered.join(', ') || '(none)' : c.protocols || '(none)'}</dd>
        <dt>Subprotocol</dt>
        <dd className="mono">{h ? h.protocol || '(none chosen)' : '—'}</dd>
        <dt>Extensions</dt>
        <dd className="mono">{h ? h.extensions || '(none)' : '—'}</dd>
        <dt>Opened</dt>
        <dd>{h ? formatPreciseTime(h.openedAt) : '—'}</dd>
        <dt>bufferedAmount</dt>
        <dd className="mono">{formatBytes(c.bufferedAmount)}</dd>
      </dl>
    </section>
  )
}

function Closes({ c }: { c: WsConnectionView }) {
  return (
    <section aria-label="Closes">
      <h3>Closes</h3>
      {c.closes.length === 0 ? (
        <p className="muted small">No close yet.</p>
      ) : (
        <ul className="ws-closes">
          {c.closes
            .slice()
            .reverse()
            .map((row) => (
              <li key={`${row.at}-${row.code}`} className="close-row">
                <div>
                  <span className="mono code">{row.code}</span> <strong>{row.name}</strong>{' '}
                  <span className="muted small">
                    by {row.by} · {row.wasClean ? 'clean' : 'not clean'} · {formatPreciseTime(row.at)} ·{' '}
                    {row.connectedMs ? `open ${formatDuration(row.connectedMs)}` : 'never opened'}
                  </span>
                </div>
                {row.reason && <div className="small">Reason: “{row.reason}”</div>}
                <div className="small muted">{row.meaning}</div>
              </li>
            ))}
        </ul>
      )}
    </section>
  )
}

function Timeline({ c }: { c: WsConnectionView }) {
  return (
    <section aria-label="State timeline">
      <h3>State timeline</h3>
      {c.timeline.length === 0 ? (
        <p className="muted small">Nothing yet.</p>
      ) : (
        <ol className="timeline">
          {c.timeline
            .slice(-50)
            .reverse()
            .map((entry, i) => (
              <li key={`${entry.at}-${i}`}>
                <time className="mono">{formatPreciseTime(entry.at)}</time>
                <span className={`state-chip state-${entry.state}`}>{entry.state}</span>
                {entry.note && <span className="small">{entry.note}</span>}
              </li>
            ))}
        </ol>
      )}
    </section>
  )
}

export function WsFactsPanel({ connection }: { connection: WsConnectionView }) {
  return (
    <div className="ws-facts">
      <Handshake c={connection} />
      <Closes c={connection} />
      <Timeline c={connection} />
    </div>
  )
}
