/**
 * `GET /files/:id`: a download by capability, built so that no upload can run script on the
 * server's origin: only bytes that sniff as png/jpeg/gif/webp are served inline, under their
 * sniffed type; everything else is `application/octet-stream` with
 * `Content-Disposition: attachment`; always `nosniff` and a CSP sandbox. ETags and byte ranges
 * let a client revalidate and resume.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import { FILE_ID_PATTERN } from '../../../shared/file-info'
import { sendError } from '../http-replies'
import { parseRange } from './byte-range'
import type { FileStore } from './file-store'

/**
 * The file response policy: `sandbox` makes a file opened as a page an opaque origin with no
 * script, `default-src 'none'` lets it load nothing; for an <img> the policy is inert.
 */
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'Accept-Ranges': 'bytes',
  // A capability URL can be revoked (its message deleted): revalidate instead of caching blindly.
  'Cache-Control': 'private, no-cache'
} as const

/** RFC 6266: an ASCII fallback and the exact name as RFC 5987 UTF-8. */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  // RFC 5987 attr-chars exclude ' ( ) *, which encodeURIComponent leaves as they are.
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${exact}`
}

export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  files: FileStore
): Promise<void> {
  const file = FILE_ID_PATTERN.test(id) ? files.get(id) : undefined
  let handle: FileHandle | undefined
  if (file) {
    try {
      handle = await open(files.blobPath(file.hash), 'r')
    } catch {
      handle = undefined
    }
  }
  if (!file || !handle) {
    sendError(res, 404, 'not_found', 'No such file: it never existed, or its message was deleted.')
    return
  }
  const forceDownload = new URL(req.url ?? '/', 'http://x').searchParams.has('download')
  const inline = file.raster !== null && !forceDownload
  const etag = `"${file.hash}"`
  const headers: Record<string, string | number> = {
    ...FILE_HEADERS,
    ETag: etag,
    'Content-Type': inline && file.raster ? file.raster : 'application/octet-stream',
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name)
  }
  if (req.headers['if-none-match'] === etag) {
    await handle.close()
    res.writeHead(304, headers)
    res.end()
    return
  }
  const ifRange = req.headers['if-range']
  const range =
    ifRange === undefined || ifRange === etag
      ? parseRange(req.headers.range, file.size)
      : { kind: 'whole' as const }
  if (range.kind === 'unsatisfiable') {
    await handle.close()
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0 })
    res.end()
    return
  }
  const { start, end } = range.kind === 'part' ? range : { start: 0, end: file.size - 1 }
  const length = Math.max(0, end - start + 1)
  res.writeHead(range.kind === 'part' ? 206 : 200, {
    ...headers,
    'Content-Length': length,
    ...(range.kind === 'part' ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {})
  })
  if (req.method === 'HEAD' || length === 0) {
    await handle.close()
    res.end()
    return
  }
  // pipeline: a client leaving mid-download destroys the read stream and closes the handle.
  pipeline(handle.createReadStream({ start, end }), res, () => {})
}
