import { useState, type ChangeEvent } from 'react'
import { useWsClient } from './ws-client-store'

/** Export, import and replay of a captured conversation (session-file.ts). */
export function WsSessionPanel({ connectionId, canSend }: { connectionId: string; canSend: boolean }) {
  const exportSession = useWsClient((s) => s.exportSession)
  const importSession = useWsClient((s) => s.importSession)
  const replay = useWsClient((s) => s.replay)
  const stopReplay = useWsClient((s) => s.stopReplay)
  const replayLeft = useWsClient((s) => s.connections.find((c) => c.id === connectionId)?.replayLeft ?? 0)
  const name = useWsClient((s) => s.connections.find((c) => c.id === connectionId)?.name ?? 'session')
  const [message, setMessage] = useState<string | null>(null)

  const download = () => {
    const blob = new Blob([exportSession(connectionId)], { type: 'application/json' })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    const safe = name.replace(/[^a-z0-9_-]+/gi, '-').slice(0, 40) || 'session'
    a.download = `ws-${safe}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
    a.click()
    // The click has started the download; the object URL is not needed after this task.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    const problem = importSession(await file.text())
    setMessage(problem ?? `Imported ${file.name} as a new connection: open it, then Replay.`)
  }

  return (
    <section className="ws-panel" aria-labelledby={`${connectionId}-session`}>
      <h3 id={`${connectionId}-session`}>Session</h3>
      <div className="row wrap">
        <button type="button" onClick={download}>
          Export session
        </button>
        <label className="file-button">
          Import session
          <input type="file" accept="application/json,.json" onChange={(e) => void load(e)} />
        </label>
        {replayLeft > 0 ? (
          <button type="button" onClick={() => stopReplay(connectionId)}>
            Stop replay ({replayLeft} left)
          </button>
        ) : (
          <button type="button" disabled={!canSend} onClick={() => setMessage(replay(connectionId))}>
            Replay sent frames
          </button>
        )}
      </div>
      <p className="muted small">
        A session is the frames, handshake, closes and timeline as JSON. Replay sends its sent frames again,
        in order, keeping their spacing (at most 1 s between two).
      </p>
      {message && (
        <p className="small" role="status">
          {message}
        </p>
      )}
    </section>
  )
}
