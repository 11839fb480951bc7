import { useState } from 'react'
import { PAYLOAD_MODE_LABELS } from './outgoing-payload'
import type { PayloadMode, Template } from './ws-client-storage'
import { useWsClient } from './ws-client-store'

/**
 * Frames kept by name across reloads (ws-client-storage.ts): saves what the send form holds,
 * and a click puts a saved one back into it.
 */
export function WsSavedMessages({
  mode,
  body,
  onPick,
  onProblem
}: {
  mode: PayloadMode
  body: string
  onPick(template: Template): void
  /** The sentence the send form shows, or null to clear it. */
  onProblem(problem: string | null): void
}) {
  const templates = useWsClient((s) => s.templates)
  const saveTemplate = useWsClient((s) => s.saveTemplate)
  const deleteTemplate = useWsClient((s) => s.deleteTemplate)
  const [templateName, setTemplateName] = useState('')

  const save = () => {
    const name = templateName.trim()
    if (!name) {
      onProblem('Name the message to save it (e.g. "subscribe").')
      return
    }
    saveTemplate({ name, mode, body })
    setTemplateName('')
    onProblem(null)
  }

  return (
    <div className="ws-templates">
      <h4>Saved messages</h4>
      <div className="row">
        <input
          aria-label="Message name"
          placeholder="Name this message"
          value={templateName}
          onChange={(e) => setTemplateName(e.target.value)}
        />
        <button type="button" onClick={save}>
          Save message
        </button>
      </div>
      {templates.length === 0 ? (
        <p className="muted small">Save frames you send often; they are kept across reloads.</p>
      ) : (
        <ul aria-label="Saved messages">
          {templates.map((t) => (
            <li key={t.name}>
              <button type="button" className="link" title={t.body} onClick={() => onPick(t)}>
                {t.name}
              </button>
              <span className="muted small">{PAYLOAD_MODE_LABELS[t.mode]}</span>
              <button
                type="button"
                className="icon"
                aria-label={`Delete saved message ${t.name}`}
                onClick={() => deleteTemplate(t.name)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
