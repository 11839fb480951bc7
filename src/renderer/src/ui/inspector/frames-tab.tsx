import { useMemo, useState } from 'react'
import { Virtuoso } from 'react-virtuoso'
import type { FrameRecord } from '../../engine/engine-events'
import { useStore } from '../../store'
import { formatBytes, formatPreciseTime } from '../format'
import { escapeHidden } from '../hidden-chars'

/** Indented, with every invisible or bidi control character as its JSON escape. */
function pretty(data: string): string {
  try {
    return escapeHidden(JSON.stringify(JSON.parse(data), null, 2))
  } catch {
    return escapeHidden(data)
  }
}

function FrameRow({ frame }: { frame: FrameRecord }) {
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
        <bdi className="frame-preview mono">{escapeHidden(frame.data.slice(0, 120))}</bdi>
      </button>
      {open && (
        <pre className="frame-body" dir="ltr">
          {pretty(frame.data)}
        </pre>
      )}
    </div>
  )
}

export function FramesTab() {
  const engine = useStore((s) => s.engine)
  const version = useStore((s) => s.framesVersion)
  const [filter, setFilter] = useState('')
  const [direction, setDirection] = useState<'all' | 'in' | 'out'>('all')
  const [paused, setPaused] = useState<number | null>(null)
  // Paused: the view holds still at the version it had; the ring buffer keeps recording.
  const shownVersion = paused ?? version

  const frames = useMemo(() => {
    void shownVersion
    const all = engine?.frames.toArray() ?? []
    const needle = filter.trim().toLowerCase()
    return all.filter(
      (f) =>
        (direction === 'all' || f.dir === direction) &&
        (!needle || f.type.toLowerCase().includes(needle) || f.data.toLowerCase().includes(needle))
    )
  }, [engine, shownVersion, filter, direction])

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
      <div className="frame-list" aria-label="Frames" role="list">
        <Virtuoso
          data={frames}
          computeItemKey={(_, f) => f.seq}
          itemContent={(_, f) => <FrameRow frame={f} />}
          followOutput={paused === null ? 'auto' : false}
          style={{ height: '100%' }}
        />
      </div>
    </div>
  )
}
