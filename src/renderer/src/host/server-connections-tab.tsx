import { useStore as useZustand } from 'zustand'
import { describeCloseCode } from '../../../shared/close-codes'
import type { HostConnection } from '../../../shared/ipc'
import { CloseCode } from '../../../shared/close-codes'
import { BansList } from '../moderation/bans-list'
import { formatBytes, formatDuration, formatPreciseTime } from '../ui/format'
import { HostSummary } from './host-summary'
import type { HostStore } from './host-store'

function CloseCell({ row }: { row: HostConnection }) {
  if (row.code === undefined) return <td>—</td>
  const info = describeCloseCode(row.code)
  return (
    <td title={info.meaning}>
      {row.code} {info.name}
    </td>
  )
}

/** Closed because the owner or a moderator removed them: picked out in the table. */
const REMOVED: readonly number[] = [CloseCode.Kicked, CloseCode.Banned]

function ConnectionRow({ row }: { row: HostConnection }) {
  const removed = row.code !== undefined && REMOVED.includes(row.code)
  return (
    <tr
      className={
        removed ? 'host-row-closed host-row-removed' : row.state === 'closed' ? 'host-row-closed' : undefined
      }
    >
      <td>
        <code>{row.remoteAddress}</code>
      </td>
      <td>{row.nick ?? <span className="muted">(no hello yet)</span>}</td>
      <td>{formatPreciseTime(row.openedAt)}</td>
      <td>{row.state}</td>
      <td>{row.messagesIn}</td>
      <td>{row.messagesOut}</td>
      <td>{formatBytes(row.bufferedAmount)}</td>
      <CloseCell row={row} />
      <td>{row.reason || (row.state === 'closed' ? '—' : '')}</td>
      <td>{row.wasClean === undefined ? '' : row.wasClean ? 'yes' : 'no'}</td>
      <td>{row.durationMs === undefined ? '' : formatDuration(row.durationMs)}</td>
    </tr>
  )
}

/** The inspector's "Server" tab: the host's side of every connection to the server it runs. */
export function ServerConnectionsTabView({ store }: { store: HostStore }) {
  const connections = useZustand(store, (s) => s.connections)
  const state = useZustand(store, (s) => s.status.state)
  // Two plain selections (a fresh object per read would re-render without end).
  const selfUrl = useZustand(store, (s) => (s.status.state === 'running' ? s.status.selfUrl : null))
  const ownerToken = useZustand(store, (s) =>
    s.status.state === 'running' ? (s.status.ownerToken ?? null) : null
  )

  const open = connections.filter((row) => row.state === 'open').length
  return (
    <div className="host-server-tab">
      <HostSummary store={store} />
      {state === 'stopped' && connections.length === 0 ? (
        <p className="muted">
          Not hosting. Use “Host a server” on the connect screen to run one and see who connects.
        </p>
      ) : (
        <>
          <p className="muted">
            {open} open, {connections.length - open} recently closed
            {state === 'stopped' ? ' (server stopped)' : ''}
          </p>
          <div className="host-table-scroll">
            <table aria-label="Connections" className="host-connections">
              <thead>
                <tr>
                  <th scope="col">Remote address</th>
                  <th scope="col">Nick</th>
                  <th scope="col">Opened</th>
                  <th scope="col">State</th>
                  <th scope="col">In</th>
                  <th scope="col">Out</th>
                  <th scope="col">Buffered</th>
                  <th scope="col">Close code</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Clean</th>
                  <th scope="col">Duration</th>
                </tr>
              </thead>
              <tbody>
                {connections.map((row) => (
                  <ConnectionRow key={row.id} row={row} />
                ))}
              </tbody>
            </table>
          </div>
          {selfUrl && ownerToken && <BansList selfUrl={selfUrl} ownerToken={ownerToken} />}
        </>
      )}
    </div>
  )
}
