import { memo, useMemo, useState } from 'react'
import { Virtuoso } from 'react-virtuoso'
import { formatBytes, formatPreciseTime } from '../ui/format'
import { fromBase64, toHex } from './binary-payload'
import { useWsClient } from './ws-client-store'
import type { WsFrame } from './ws-session'

const PREVIEW_BYTES = 48
const PREVIEW_CHARS = 160

function prettyJson(text: string): string | null {
  const first = text.trimStart()[0]
  if (first !== '{' && first !== '[') return null
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

/** 16 bytes a line with offsets and printable ASCII, as xxd and Wireshark lay them out. */
function hexDump(bytes: Uint8Array): string {
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16)
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${toHex(row).padEnd(47)}  ${ascii}`)
  }
  return lines.join('\n')
}

const FrameRow = memo(function FrameRow({ frame }: { frame: WsFrame }) {
  const [open, setOpen] = useState(false)
  const bytes = frame.opcode === 'binary' ? fromBase64(frame.data) : null
  const preview = bytes ? toHex(bytes, PREVIEW_BYTES) : frame.data.slice(0, PREVIEW_CHARS)
  const direction = frame.dir === 'in' ? 'received' : 'sent'
  return (
    <div className={`ws-frame frame-${frame.dir}`}>
      <button
        type="button"
        className="ws-frame-summary"
        aria-expanded={open}
        aria-label={`${direction} ${frame.opcode} frame, ${formatBytes(frame.size)}: ${preview}`}
        onClick={() => setOpen(!open)}
      >
        <span className={`ws-dir dir-${frame.dir}`} aria-hidden="true">
          {frame.dir === 'in' ? '↓' : '↑'}
        </span>
        <span className="mono muted">{formatPreciseTime(frame.at)}</span>
        <span className={`ws-opcode opcode-${frame.opcode}`}>{frame.opcode}</span>
        <span className="mono muted ws-size">{formatBytes(frame.size)}</span>
        <span className="ws-preview mono">{preview || <span className="muted">(empty)</span>}</span>
      </button>
      {open && (
        <pre
          className={bytes ? 'frame-body hex-dump' : 'frame-body'}
          aria-label={bytes ? 'Hex view' : 'Frame text'}
        >
          {bytes ? hexDump(bytes) : (prettyJson(frame.data) ?? frame.data)}
        </pre>
      )}
    </div>
  )
})

type Direction = 'all' | 'in' | 'out'
type Opcode = 'all' | 'text' | 'binary'

function matches(frame: WsFrame, direction: Direction, opcode: Opcode, needle: string): boolean {
  if (direction !== 'all' && frame.dir !== direction) return false
  if (opcode !== 'all' && frame.opcode !== opcode) return false
  if (!needle) return true
  if (frame.opcode === 'text') return frame.data.toLowerCase().includes(needle)
  // Binary frames are searched by their hex, with or without the spaces.
  const hex = toHex(fromBase64(frame.data))
  return hex.includes(needle) || hex.replace(/ /g, '').includes(needle.replace(/\s/g, ''))
}

export function WsFrameLog({ connectionId }: { connectionId: string }) {
  const version = useWsClient((s) => s.connections.find((c) => c.id === connectionId)?.framesVersion ?? 0)
  const session = useWsClient((s) => s.session)
  const clearFrames = useWsClient((s) => s.clearFrames)
  const [search, setSearch] = useState('')
  const [direction, setDirection] = useState<Direction>('all')
  const [opcode, setOpcode] = useState<Opcode>('all')

  const ring = session(connectionId).frames
  const all = useMemo(() => {
    void version
    return ring.toArray()
  }, [ring, version])
  const frames = useMemo(() => {
    const needle = search.trim().toLowerCase()
    return all.filter((f) => matches(f, direction, opcode, needle))
  }, [all, search, direction, opcode])

  return (
    <section className="ws-frames" aria-label="Frame log">
      <div className="toolbar">
        <input
          type="search"
          aria-label="Search frames"
          placeholder="Search text or hex"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <select
          aria-label="Direction"
          value={direction}
          onChange={(e) => setDirection(e.target.value as Direction)}
        >
          <option value="all">Both directions</option>
          <option value="in">Received</option>
          <option value="out">Sent</option>
        </select>
        <select aria-label="Frame type" value={opcode} onChange={(e) => setOpcode(e.target.value as Opcode)}>
          <option value="all">Text and binary</option>
          <option value="text">Text</option>
          <option value="binary">Binary</option>
        </select>
        <span className="muted small" aria-live="polite">
          {frames.length === all.length ? `${all.length} frames` : `${frames.length} of ${all.length} frames`}
        </span>
        <button type="button" className="link" onClick={() => clearFrames(connectionId)}>
          Clear
        </button>
      </div>
      <div className="ws-frame-list" role="log" aria-label="Frames">
        {frames.length === 0 ? (
          <p className="muted small ws-empty">
            {all.length === 0 ? 'No frames yet. Open the connection and send one.' : 'No frame matches.'}
          </p>
        ) : (
          <Virtuoso
            data={frames}
            computeItemKey={(_, f) => f.seq}
            itemContent={(_, f) => <FrameRow frame={f} />}
            followOutput="auto"
            initialTopMostItemIndex={Math.max(0, frames.length - 1)}
            style={{ height: '100%' }}
          />
        )}
      </div>
    </section>
  )
}
