/**
 * HTTP for files: `POST /api/files` (upload, as the holder of a session token) and
 * `GET /files/:id` (download by capability). Downloads are built so that no upload can run script
 * on the server's origin: only bytes that sniff as png/jpeg/gif/webp are served inline, under
 * their sniffed type; everything else is `application/octet-stream` with
 * `Content-Disposition: attachment`; always `nosniff` and a CSP sandbox.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import type { User } from '../../../shared/protocol'
import { FILE_ID_PATTERN, fileUrl, type FileInfo } from '../../../shared/file-info'
import {
  answerPreflight,
  bearerToken,
  corsHeaders,
  sendError,
  sendJson,
  type HttpRoute
} from '../http-replies'
import type { OriginCheck } from '../origin-policy'
import type { StoredFile } from './file-index'
import type { FileRefusal } from './file-refusal'
import { cleanFileName, normaliseType, type FileStore } from './file-store'
import { parseRange } from './byte-range'

export interface FileRoutesOptions {
  files: FileStore
  /** The user a session token belongs to (a live or resumable session), or undefined. */
  userForToken(token: string): User | undefined
  /** The socket's origin rule: which pages (the desktop app's, the web client's) may upload. */
  checkOrigin: OriginCheck
}

const DOWNLOAD = /^\/files\/([^/]+)$/
/** An upload that sends nothing for this long is cut: the server-wide request timeout is long (10 min). */
const UPLOAD_IDLE_MS = 20_000

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

export function toFileInfo(file: StoredFile): FileInfo {
  return { id: file.id, name: file.name, size: file.size, type: file.type, url: fileUrl(file.id) }
}

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

export function createFileRoutes(options: FileRoutesOptions): HttpRoute {
  const { files } = options

  /**
   * An answer before the body was read: the connection closes after it, so a large body the
   * server will never read is not drained at the client's pace.
   */
  function refuseUpload(
    req: IncomingMessage,
    res: ServerResponse,
    cors: Record<string, string>,
    status: number,
    error: string,
    message: string,
    extra: Record<string, string> = {}
  ): void {
    sendError(res, status, error, message, { ...cors, Connection: 'close', ...extra })
    res.once('finish', () => req.socket.destroySoon())
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = corsHeaders(req, options.checkOrigin)
    if (cors === null) {
      refuseUpload(req, res, {}, 403, 'forbidden_origin', 'Pages from this origin may not upload here.')
      return
    }
    const token = bearerToken(req)
    const user = token === undefined ? undefined : options.userForToken(token)
    if (!user) {
      refuseUpload(
        req,
        res,
        cors,
        401,
        'unauthorized',
        'Send your session token (from welcome) as "Authorization: Bearer <token>".',
        { 'WWW-Authenticate': 'Bearer' }
      )
      return
    }
    let name: string
    try {
      name = cleanFileName(decodeURIComponent(String(req.headers['x-file-name'] ?? 'file')))
    } catch {
      refuseUpload(req, res, cors, 400, 'bad_name', 'X-File-Name must be percent-encoded UTF-8.')
      return
    }
    const lengthHeader = req.headers['content-length']
    const declared = lengthHeader === undefined ? undefined : Number(lengthHeader)
    const admitted = files.admit(user.id, declared)
    if (!admitted.ok) {
      refuseUpload(req, res, cors, admitted.status, admitted.error, admitted.message)
      return
    }
    req.setTimeout(UPLOAD_IDLE_MS, () => req.destroy())
    const result = await admitted.upload.receive(req, {
      name,
      declaredType: normaliseType(req.headers['content-type'])
    })
    if (!result.ok) {
      refuseAfterReading(req, res, cors, result)
      return
    }
    sendJson(res, 201, { file: toFileInfo(result.file) }, cors)
  }

  function refuseAfterReading(
    req: IncomingMessage,
    res: ServerResponse,
    cors: Record<string, string>,
    refusal: FileRefusal
  ): void {
    // The client may have gone already (the cut-off case); then there is no one to answer.
    if (req.destroyed || res.destroyed) return
    refuseUpload(req, res, cors, refusal.status, refusal.error, refusal.message)
  }

  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
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

  return async (req, res, path) => {
    const method = req.method ?? 'GET'
    if (path === '/api/files') {
      if (method === 'OPTIONS') {
        answerPreflight(req, res, options.checkOrigin, 'POST')
        return true
      }
      if (method === 'POST') {
        await upload(req, res)
        return true
      }
      return false
    }
    const match = DOWNLOAD.exec(path)
    if (match && (method === 'GET' || method === 'HEAD')) {
      await download(req, res, match[1] ?? '')
      return true
    }
    return false
  }
}
