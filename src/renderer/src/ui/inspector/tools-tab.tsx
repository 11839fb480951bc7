import { useState, type FormEvent } from 'react'
import { describeCloseCode } from '../../../../shared/close-codes'
import { useStore } from '../../store'
import { useWsClient } from '../../ws-client/ws-client-store'
import { LabelledField } from '../labelled-field'

function RawSend() {
  const sendRaw = useStore((s) => s.sendRaw)
  const [text, setText] = useState('{"type":"rooms"}')
  const [result, setResult] = useState<string | null>(null)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setResult(sendRaw(text) ? 'Sent. The reply shows in Frames.' : 'Not sent: the socket is not open.')
  }
  return (
    <form onSubmit={submit} className="tool">
      <h3>Raw send</h3>
      <textarea
        aria-label="Raw frame"
        className="mono"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit">Send raw</button>
      {result && <p className="small muted">{result}</p>}
    </form>
  )
}

function CloseWithCode() {
  const closeWithCode = useStore((s) => s.closeWithCode)
  const [code, setCode] = useState('4000')
  const [reason, setReason] = useState('Testing from the inspector')
  const [problem, setProblem] = useState<string | null>(null)
  const info = describeCloseCode(Number(code))
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setProblem(closeWithCode(Number(code), reason))
  }
  return (
    <form onSubmit={submit} className="tool">
      <h3>Close with code</h3>
      <p className="small muted">
        Browsers allow 1000 or 3000–4999, with a reason of at most 123 bytes of UTF-8.
      </p>
      <div className="row">
        <LabelledField
          label="Close code"
          inputMode="numeric"
          value={code}
          onValueChange={setCode}
          className="mono narrow"
        />
        <LabelledField label="Close reason" labelClassName="grow" value={reason} onValueChange={setReason} />
      </div>
      <p className="small">
        <strong>{info.name}</strong>: {info.meaning} ({new TextEncoder().encode(reason).length}/123 bytes)
      </p>
      <button type="submit">Close connection</button>
      {problem && (
        <p className="form-error small" role="alert">
          {problem}
        </p>
      )}
    </form>
  )
}

function ExportSession() {
  const exportSession = useStore((s) => s.exportSession)
  const download = () => {
    const blob = new Blob([exportSession()], { type: 'application/json' })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = `parley-session-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
    a.click()
    // The click has started the download; the object URL is not needed after this task.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
  return (
    <div className="tool">
      <h3>Export</h3>
      <p className="small muted">Timeline, closes, reconnects, round trips and the kept frames as JSON.</p>
      <button type="button" onClick={download}>
        Export session
      </button>
    </div>
  )
}

function OtherServers() {
  return (
    <div className="tool">
      <h3>Any server</h3>
      <p className="small muted">
        Open any ws:// or wss:// server, with its own subprotocols and binary frames.
      </p>
      <button type="button" onClick={() => useWsClient.getState().setVisible(true)}>
        WebSocket client
      </button>
    </div>
  )
}

export function ToolsTab() {
  return (
    <div className="tools">
      <RawSend />
      <CloseWithCode />
      <ExportSession />
      <OtherServers />
    </div>
  )
}
