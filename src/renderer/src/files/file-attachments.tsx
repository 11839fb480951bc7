import { useEffect, useState } from 'react'
import { isRasterType, type FileInfo } from '../../../shared/file-info'
import { formatBytes } from '../ui/format'
import { absoluteFileUrl } from './server-origin'
import { useServerOrigin } from './use-upload-target'
import './files.css'

function downloadUrl(href: string): string {
  return `${href}?download`
}

function FullSize({ file, href, onClose }: { file: FileInfo; href: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div className="image-viewer" role="dialog" aria-modal="true" aria-label={file.name} onClick={onClose}>
      <img src={href} alt={file.name} onClick={(event) => event.stopPropagation()} />
      <div className="image-viewer-bar" onClick={(event) => event.stopPropagation()}>
        <span className="upload-name">{file.name}</span>
        <span className="muted small">{formatBytes(file.size)}</span>
        <a className="button-link" href={downloadUrl(href)} download={file.name}>
          Download
        </a>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  )
}

function Thumbnail({ file, href }: { file: FileInfo; href: string }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className="thumbnail"
        title={`${file.name}: show full size`}
        onClick={() => setOpen(true)}
      >
        <img src={href} alt={file.name} loading="lazy" />
      </button>
      {open && <FullSize file={file} href={href} onClose={() => setOpen(false)} />}
    </>
  )
}

function FileCard({ file, href }: { file: FileInfo; href: string }) {
  return (
    <div className="file-card" aria-label={`File ${file.name}`}>
      <span className="file-icon" aria-hidden="true">
        {(file.name.split('.').pop() ?? '').slice(0, 4).toUpperCase() || 'FILE'}
      </span>
      <span className="file-meta">
        <span className="upload-name" title={file.name}>
          {file.name}
        </span>
        <span className="muted small">{formatBytes(file.size)}</span>
      </span>
      <a className="button-link" href={downloadUrl(href)} download={file.name}>
        Download
      </a>
    </div>
  )
}

/** A message's files: images as thumbnails (click for full size), anything else as a card. */
export function FileAttachments({ files }: { files: readonly FileInfo[] }) {
  const origin = useServerOrigin()
  if (!origin || files.length === 0) return null
  return (
    <div className="attachments">
      {files.map((file) => {
        const href = absoluteFileUrl(origin, file.url)
        return isRasterType(file.type) ? (
          <Thumbnail key={file.id} file={file} href={href} />
        ) : (
          <FileCard key={file.id} file={file} href={href} />
        )
      })}
    </div>
  )
}
