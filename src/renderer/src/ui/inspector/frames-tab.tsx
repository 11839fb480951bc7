import { useMemo, useState } from 'react'
import { Virtuoso } from 'react-virtuoso'
import type { FrameRecord } from '../../engine/engine-events'
import { useStore } from '../../store'
import { frameRoleFor, messageOfFrame, type FrameRole } from '../../store/message-frames'
import { formatBytes, formatPreciseTime } from '../format'
import { escapeHidden } from '../hidden-chars'

const ROLE_LABELS: Record<FrameRole, string> = {
  send: 'the send',
  echo: 'the server’s echo',
  replay: 'a replay',
  error: 'an error about it'
}

/** Indented, with every invisible or bidi control character as its JSON escape. */
function pretty(data: string): string {
  try {
    return escapeHidden(JSON.stringify(JSON.parse(data), null, 2))
  } catch {
    return escapeHidden(data)
  }
}

/** A frame about one message (a send or an echo) links back to that message in the chat. */
function GoToMessage({ frame }: { frame: FrameRecord }) {
  const myId = useStore((s) => s.me?.id)
  const goToMessage = useStore((s) => s.goToMessage)
  const target = messageOfFrame(frame, myId)
  if (!target) return null
  return (
    <button type="button" className="link small" onClick={() => goToMessage(target)}>
      Go to message{target.id !== undefined ? ` #${target.id}` : ''}
    </button>
  )
}

function FrameRow({ frame, role }: { frame: FrameRecord; role: FrameRole | null }) {
  const [open, setOpen] = useState(false)
  return (
    <div className={`frame frame-${frame.dir}`}>
      <button type="button" className="frame-summary" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="frame-dir" aria-label={frame.dir === 'in' ? 'received' : 'sent'}>
          {frame.dir === 'in' ? '↓' : '↑'}
        </span>
        <span className="mono">{formatPreciseTime(frame.at)}</span>
        <span className="frame-type">{frame.type}</span>
        <span className="mono muted">{formatBytes(frame.size)}</span>
        {/* Frames carry people's text: isolated, so an RTL message cannot reorder the row. */}
        <span className="frame-preview mono">
          {role && <span className="frame-role">{ROLE_LABELS[role]}</span>}
          <bdi>{escapeHidden(frame.data.slice(0, 120))}</bdi>
        </span>
      </button>
      {open && (
        <div className="frame-open">
          <GoToMessage frame={frame} />
          <pre className="frame-body" dir="ltr">
            {pretty(frame.data)}
          </pre>
        </div>
      )}
    </div>
  )
}

export function FramesTab() {
  const engine = useStore((s) => s.engine)
  const version = useStore((s) => s.framesVersion)
  const focus = useStore((s) => s.frameFocus)
  const clearFocus = useStore((s) => s.clearFrameFocus)
  const [filter, setFilter] = useState('')
  const [direction, setDirection] = useState<'all' | 'in' | 'out'>('all')
  const [paused, setPaused] = useState<number | null>(null)
  // Paused: the view holds still at the version it had; the ring buffer keeps recording.
  const shownVersion = paused ?? version

  const frames = useMemo(() => {
    void shownVersion
    const all = engine?.frames.toArray() ?? []
    const needle = filter.trim().toLowerCase()
    const rows: { frame: FrameRecord; role: FrameRole | null }[] = []
    for (const f of all) {
      if (direction !== 'all' && f.dir !== direction) continue
      if (needle && !f.type.toLowerCase().includes(needle) && !f.data.toLowerCase().includes(needle)) continue
      const role = focus ? frameRoleFor(f, focus) : null
      if (focus && !role) continue
      rows.push({ frame: f, role })
    }
    return rows
  }, [engine, shownVersion, filter, direction, focus])

  const capacity = engine?.frames.capacity ?? 0
  const total = engine?.frames.totalPushed ?? 0

  return (
    <div className="frames-tab">
      <div className="toolbar">
        <input
          aria-label="Filter frames"
          placeholder="Filter by type or text"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <select
          aria-label="Direction"
          value={direction}
          onChange={(e) => setDirection(e.target.value as typeof direction)}
        >
          <option value="all">Both directions</option>
          <option value="in">Received</option>
          <option value="out">Sent</option>
        </select>
        <button
          type="button"
          aria-pressed={paused !== null}
          onClick={() => setPaused(paused === null ? version : null)}
        >
          {paused === null ? 'Pause' : 'Resume'}
        </button>
        <span className="muted small">
          {frames.length} shown · last {Math.min(total, capacity).toLocaleString()} of{' '}
          {total.toLocaleString()} kept (cap {capacity.toLocaleString()})
        </span>
      </div>
      {focus && (
        <div className="frame-focus" role="status">
          <span>
            Frames of message #{focus.id}
            {focus.cid ? (
              <>
                {' '}
                (cid <span className="mono">{focus.cid}</span>)
              </>
            ) : null}{' '}
            in {focus.channel.startsWith('@') ? 'a direct conversation' : `#${focus.channel}`}
          </span>
          <button type="button" className="link" onClick={() => clearFocus()}>
            Show all frames
          </button>
        </div>
      )}
      <div className="frame-list" aria-label="Frames" role="list">
        <Virtuoso
          data={frames}
          computeItemKey={(_, row) => row.frame.seq}
          itemContent={(_, row) => <FrameRow frame={row.frame} role={row.role} />}
          followOutput={paused === null ? 'auto' : false}
          style={{ height: '100%' }}
        />
      </div>
    </div>
  )
}
