import { useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react'
import { PAYLOAD_MODE_LABELS, readPayload } from './outgoing-payload'
import { payloadModes, type PayloadMode } from './ws-client-storage'
import { useWsClient } from './ws-client-store'
import { WsSavedMessages } from './ws-saved-messages'

/** A file larger than this would be one frame bigger than most servers accept anyway. */
const MAX_FILE_BYTES = 16 * 1024 * 1024

export function WsSendPanel({ connectionId, canSend }: { connectionId: string; canSend: boolean }) {
  const send = useWsClient((s) => s.send)
  const [mode, setMode] = useState<PayloadMode>('text')
  const [body, setBody] = useState('{"type":"ping"}')
  const [problem, setProblem] = useState<string | null>(null)

  const submit = (event?: FormEvent) => {
    event?.preventDefault()
    const parsed = readPayload(mode, body)
    setProblem(parsed.ok ? send(connectionId, parsed.payload) : parsed.message)
  }
  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      submit()
    }
  }
  const sendFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    if (file.size > MAX_FILE_BYTES) {
      setProblem(`${file.name} is ${file.size} bytes; files up to 16 MiB are sent as one frame.`)
      return
    }
    const bytes = new Uint8Array(await file.arrayBuffer())
    setProblem(send(connectionId, { kind: 'binary', bytes }))
  }

  return (
    <section className="ws-panel" aria-labelledby={`${connectionId}-send`}>
      <h3 id={`${connectionId}-send`}>Send</h3>
      <form onSubmit={submit} className="ws-send">
        <div className="row">
          <label>
            Payload type
            <select value={mode} onChange={(e) => setMode(e.target.value as PayloadMode)}>
              {payloadModes.map((m) => (
                <option key={m} value={m}>
                  {PAYLOAD_MODE_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <label className="file-button">
            Send a file
            <input type="file" onChange={(e) => void sendFile(e)} disabled={!canSend} />
          </label>
        </div>
        <label>
          Frame to send
          <textarea
            className="mono"
            rows={4}
            value={body}
            spellCheck={false}
            placeholder={
              mode === 'text' ? '{"type":"subscribe"}' : mode === 'hex' ? 'de ad be ef' : '3q2+7w=='
            }
            onChange={(e) => setBody(e.target.value)}
            onKeyDown={keyDown}
          />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={!canSend} aria-keyshortcuts="Control+Enter">
            Send frame
          </button>
          {!canSend && <span className="muted small">Open the connection to send.</span>}
        </div>
        {problem && (
          <p className="form-error small" role="alert">
            {problem}
          </p>
        )}
      </form>
      <WsSavedMessages
        mode={mode}
        body={body}
        onPick={(t) => {
          setMode(t.mode)
          setBody(t.body)
        }}
        onProblem={setProblem}
      />
    </section>
  )
}
