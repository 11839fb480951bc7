import { Fragment } from 'react'
import type { RetryAdvice } from '../../../../shared/close-codes'
import { useStore } from '../../store'
import { formatBytes, formatDuration, formatPreciseTime } from '../format'
import { RttSparkline } from './rtt-sparkline'

const RETRY_ADVICE: Record<RetryAdvice, string> = {
  retry: 'Parley reconnects with backoff.',
  'retry-later': 'Parley reconnects, waiting longer than usual.',
  ask: 'Parley does not retry: it asks you.',
  stop: 'Intended: Parley stays closed.'
}

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']

function Handshake() {
  const handshake = useStore((s) => s.handshake)
  const url = useStore((s) => s.url)
  return (
    <section aria-label="Handshake">
      <h3>Handshake</h3>
      <dl className="facts">
        <dt>URL</dt>
        <dd className="mono">{handshake?.url ?? url ?? '—'}</dd>
        <dt>Subprotocol</dt>
        <dd className="mono">{handshake ? handshake.protocol || '(none negotiated)' : '—'}</dd>
        <dt>Extensions</dt>
        <dd className="mono">{handshake ? handshake.extensions || '(none)' : '—'}</dd>
        <dt>Opened</dt>
        <dd>{handshake ? formatPreciseTime(handshake.openedAt) : '—'}</dd>
      </dl>
    </section>
  )
}

function Closes() {
  const closes = useStore((s) => s.closes)
  return (
    <section aria-label="Closes">
      <h3>Closes</h3>
      {closes.length === 0 ? (
        <p className="muted small">No close yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Reason</th>
              <th scope="col">Clean</th>
              <th scope="col">By</th>
              <th scope="col">Connected</th>
            </tr>
          </thead>
          <tbody>
            {closes
              .slice()
              .reverse()
              .map((row) => (
                <Fragment key={`${row.at}-${row.code}`}>
                  <tr className={`close-row retry-${row.retry}`}>
                    <td className="mono">{formatPreciseTime(row.at)}</td>
                    <td className="mono code">{row.code}</td>
                    <td>
                      <strong>{row.name}</strong>
                    </td>
                    <td>{row.reason || <span className="muted">(none)</span>}</td>
                    <td>{row.wasClean ? 'yes' : 'no'}</td>
                    <td>{row.by}</td>
                    <td>{row.connectedMs ? formatDuration(row.connectedMs) : 'never opened'}</td>
                  </tr>
                  <tr className="close-meaning">
                    <td colSpan={7}>
                      {row.meaning} <span className="muted">{RETRY_ADVICE[row.retry]}</span>
                    </td>
                  </tr>
                </Fragment>
              ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Reconnects() {
  const reconnects = useStore((s) => s.reconnects)
  if (reconnects.length === 0) return null
  return (
    <section aria-label="Reconnect attempts">
      <h3>Reconnect attempts</h3>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Attempt</th>
            <th scope="col">Delay chosen</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {reconnects
            .slice(-20)
            .reverse()
            .map((r) => (
              <tr key={r.at}>
                <td className="mono">{formatPreciseTime(r.at)}</td>
                <td>#{r.attempt}</td>
                <td>{formatDuration(r.delayMs)}</td>
                <td className="mono">{r.afterCode}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  )
}

function Timeline() {
  const timeline = useStore((s) => s.timeline)
  return (
    <section aria-label="State timeline">
      <h3>State timeline</h3>
      <ol className="timeline">
        {timeline
          .slice(-50)
          .reverse()
          .map((entry, i) => (
            <li key={`${entry.at}-${i}`}>
              <time className="mono">{formatPreciseTime(entry.at)}</time>
              <span className={`state-chip state-${entry.state}`}>{entry.state}</span>
              <span className="mono muted small">
                {entry.readyState === null ? 'no socket' : READY_STATES[entry.readyState]}
              </span>
              {entry.note && <span className="small">{entry.note}</span>}
            </li>
          ))}
      </ol>
    </section>
  )
}

export function OverviewTab() {
  const status = useStore((s) => s.status)
  const rtt = useStore((s) => s.rtt)
  const buffered = useStore((s) => s.bufferedAmount)
  return (
    <div className="overview">
      <div className="overview-grid">
        <section aria-label="Now">
          <h3>Now</h3>
          <dl className="facts">
            <dt>State</dt>
            <dd>
              <span className={`state-chip state-${status}`}>{status}</span>
            </dd>
            <dt>bufferedAmount</dt>
            <dd className="mono">{formatBytes(buffered)}</dd>
          </dl>
          <h3>Round trip</h3>
          <RttSparkline samples={rtt} />
        </section>
        <Handshake />
      </div>
      <Closes />
      <Reconnects />
      <Timeline />
    </div>
  )
}
