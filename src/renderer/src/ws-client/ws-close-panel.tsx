import { useState, type FormEvent } from 'react'
import { checkClientCloseArgs, describeCloseCode } from '../../../shared/close-codes'
import { LabelledField } from '../ui/labelled-field'
import { useWsClient } from './ws-client-store'

export function WsClosePanel({ connectionId, canClose }: { connectionId: string; canClose: boolean }) {
  const close = useWsClient((s) => s.close)
  const [code, setCode] = useState('1000')
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const trimmed = code.trim()
  const numeric = trimmed === '' ? undefined : Number(trimmed)
  const info = numeric === undefined ? null : describeCloseCode(numeric)
  // Said before the click: the browser would throw, and the close frame would never go out.
  const refusal = numeric === undefined ? null : checkClientCloseArgs(numeric, reason)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setProblem(close(connectionId, numeric, reason))
  }
  return (
    <section className="ws-panel" aria-labelledby={`${connectionId}-close`}>
      <h3 id={`${connectionId}-close`}>Close</h3>
      <form onSubmit={submit} className="ws-close">
        <div className="row">
          <LabelledField
            label="Close code"
            inputMode="numeric"
            value={code}
            onValueChange={setCode}
            className="mono narrow"
            placeholder="none"
          />
          <LabelledField
            label="Close reason"
            labelClassName="grow"
            value={reason}
            onValueChange={setReason}
            placeholder="Optional, up to 123 bytes"
          />
        </div>
        <p className="small">
          {info ? (
            <>
              <strong>
                {info.code} {info.name}
              </strong>
              : {info.meaning}
            </>
          ) : (
            'No code: the browser sends a close frame without one, and the server sees 1005.'
          )}{' '}
          <span className="muted">({new TextEncoder().encode(reason).length}/123 bytes)</span>
        </p>
        {refusal && (
          <p className="warn-note small" role="note">
            {refusal} Pick 1000 or 3000–4999; codes like 1001 or 1011 can only come from a server.
          </p>
        )}
        <button type="submit" disabled={!canClose}>
          Close
        </button>
        {problem && (
          <p className="form-error small" role="alert">
            {problem}
          </p>
        )}
      </form>
    </section>
  )
}
