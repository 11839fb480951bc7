/**
 * One upload as an XMLHttpRequest: fetch() still reports no upload progress in Chromium, and a
 * progress bar is what makes a 25 MiB upload over Wi-Fi bearable. Cancel aborts the request; the
 * server then drops what it had received (see docs/protocol.md, Files).
 */
import { fileInfoSchema, type FileInfo } from '../../../shared/file-info'

export type UploadOutcome = { ok: true; file: FileInfo } | { ok: false; code: string; message: string }

export interface UploadRequest {
  readonly done: Promise<UploadOutcome>
  cancel(): void
}

export interface UploadTarget {
  /** The server's HTTP origin (server-origin.ts). */
  origin: string
  /** The session token from `welcome`. */
  token: string
}

function refusal(status: number, body: string): UploadOutcome {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown }
    if (typeof parsed.error === 'string' && typeof parsed.message === 'string') {
      return { ok: false, code: parsed.error, message: parsed.message }
    }
  } catch {
    // Not a Parley answer (a proxy's page, say): describe the status instead.
  }
  return { ok: false, code: `http_${status}`, message: `The server answered ${status}.` }
}

export function startUpload(
  target: UploadTarget,
  file: File,
  onProgress: (loaded: number, total: number) => void
): UploadRequest {
  const xhr = new XMLHttpRequest()
  const done = new Promise<UploadOutcome>((resolve) => {
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size)
    xhr.onload = () => {
      if (xhr.status !== 201) {
        resolve(refusal(xhr.status, xhr.responseText))
        return
      }
      try {
        const body = JSON.parse(xhr.responseText) as { file?: unknown }
        resolve({ ok: true, file: fileInfoSchema.parse(body.file) })
      } catch {
        resolve({
          ok: false,
          code: 'bad_answer',
          message: 'The server accepted the file but its answer was not understood.'
        })
      }
    }
    xhr.onerror = () =>
      resolve({
        ok: false,
        code: 'network',
        message: 'The upload was cut off: the server refused it (too large?) or the connection dropped.'
      })
    xhr.onabort = () => resolve({ ok: false, code: 'cancelled', message: 'Cancelled.' })
  })
  xhr.open('POST', `${target.origin}/api/files`)
  xhr.setRequestHeader('Authorization', `Bearer ${target.token}`)
  xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name || 'file'))
  // A file the OS has no type for: the server still sniffs images from the bytes.
  xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream')
  xhr.send(file)
  return { done, cancel: () => xhr.abort() }
}
