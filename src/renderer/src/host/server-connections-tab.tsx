import { useState } from 'react'
import { useStore as useZustand } from 'zustand'
import { describeCloseCode } from '../../../shared/close-codes'
import type { Fault } from '../../../shared/fault-schema'
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

/** The faults offered per connection: the admin API's, with values worth trying first. */
const FAULT_CHOICES: { id: string; label: string; fault: Fault | null }[] = [
  { id: 'delay-500', label: 'Delay frames 500 ms', fault: { delayMs: 500 } },
  { id: 'delay-3000', label: 'Delay frames 3 s', fault: { delayMs: 3000 } },
  { id: 'pause', label: 'Pause reads (slow consumer → 1013)', fault: { pauseReads: true } },
  {
    id: 'close-1011',
    label: 'Close with 1011',
    fault: { closeCode: 1011, reason: 'Injected from the host panel.' }
  },
  {
    id: 'close-4000',
    label: 'Close with 4000',
    fault: { closeCode: 4000, reason: 'Injected from the host panel.' }
  },
  { id: 'drop', label: 'Drop TCP (client sees 1006)', fault: { drop: true } },
  { id: 'clear', label: 'Clear faults', fault: null }
]

function describeFaults(row: HostConnection): string {
  const parts: string[] = []
  if (row.faults?.delayMs) parts.push(`delay ${row.faults.delayMs} ms`)
  if (row.faults?.pauseReads) parts.push(`paused, ${formatBytes(row.faults.heldBytes ?? 0)} held`)
  return parts.join(', ')
}

function FaultCell({ row, store }: { row: HostConnection; store: HostStore }) {
  const [choice, setChoice] = useState(FAULT_CHOICES[0]!.id)
  const [problem, setProblem] = useState<string | null>(null)
  const active = describeFaults(row)
  if (row.state !== 'open') return <td>{active}</td>
  const apply = async () => {
    const picked = FAULT_CHOICES.find((c) => c.id === choice)
    if (!picked) return
    const { injectFault, clearFaults } = store.getState()
    setProblem(picked.fault ? await injectFault(row.id, picked.fault) : await clearFaults(row.id))
  }
  const who = row.nick ?? row.remoteAddress
  return (
    <td className="host-fault-cell">
      {active && <span className="host-fault-active">{active}</span>}
      <select aria-label={`Fault for ${who}`} value={choice} onChange={(e) => setChoice(e.target.value)}>
        {FAULT_CHOICES.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => void apply()}>
        Inject
      </button>
      {problem && (
        <span className="form-error small" role="alert">
          {problem}
        </span>
      )}
    </td>
  )
}

function ConnectionRow({ row, store }: { row: HostConnection; store: HostStore }) {
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
      <FaultCell row={row} store={store} />
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
                  <th scope="col">Faults</th>
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
                  <ConnectionRow key={row.id} row={row} store={store} />
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
