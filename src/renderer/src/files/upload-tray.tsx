import { useShallow } from 'zustand/react/shallow'
import type { ChannelKey } from '../store/channel-log'
import { formatBytes } from '../ui/format'
import { useUploads, type Upload } from './upload-store'
import './files.css'

function UploadRow({ upload }: { upload: Upload }) {
  const remove = useUploads((s) => s.remove)
  const percent = upload.size > 0 ? Math.min(100, Math.round((upload.loaded / upload.size) * 100)) : 100
  return (
    <li className={`upload ${upload.status}`}>
      <span className="upload-name" title={upload.name}>
        {upload.name}
      </span>
      <span className="muted small">{formatBytes(upload.size)}</span>
      {upload.status === 'uploading' && (
        <progress max={100} value={percent} aria-label={`Uploading ${upload.name}`}>
          {percent}%
        </progress>
      )}
      {upload.status === 'ready' && <span className="small ok-text">Ready to send</span>}
      {upload.status === 'failed' && (
        <span className="form-error small" role="alert">
          {upload.error}
        </span>
      )}
      <button
        type="button"
        className="icon"
        aria-label={
          upload.status === 'uploading' ? `Cancel upload of ${upload.name}` : `Remove ${upload.name}`
        }
        title={upload.status === 'uploading' ? 'Cancel upload' : 'Remove'}
        onClick={() => remove(upload.key)}
      >
        ×
      </button>
    </li>
  )
}

/** The composer's list of uploads for this channel: progress, cancel, and what is ready to send. */
export function UploadTray({ channel }: { channel: ChannelKey }) {
  const uploads = useUploads(useShallow((s) => s.uploads.filter((u) => u.channel === channel)))
  if (uploads.length === 0) return null
  return (
    <ul className="upload-tray" aria-label="Attachments">
      {uploads.map((upload) => (
        <UploadRow key={upload.key} upload={upload} />
      ))}
    </ul>
  )
}
