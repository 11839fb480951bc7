/**
 * `POST /api/files`: an upload, as the holder of a session token, from a page whose origin may
 * open a socket. Every refusal before the body is read closes the connection, so a large body the
 * server will never read is not drained at the client's pace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { User } from '../../../shared/protocol'
import { fileUrl, type FileInfo } from '../../../shared/file-info'
import { bearerToken, corsHeaders, sendError, sendJson } from '../http-replies'
import type { OriginCheck } from '../origin-policy'
import type { StoredFile } from './file-index'
import type { FileRefusal } from './file-refusal'
import { cleanFileName, normaliseType, type FileStore } from './file-store'

export interface FileUploadOptions {
  files: FileStore
  /** The user a session token belongs to (a live or resumable session), or undefined. */
  userForToken(token: string): User | undefined
  /** The socket's origin rule: which pages (the desktop app's, the web client's) may upload. */
  checkOrigin: OriginCheck
}

/** An upload that sends nothing for this long is cut: the server-wide request timeout is long (10 min). */
const UPLOAD_IDLE_MS = 20_000

export function toFileInfo(file: StoredFile): FileInfo {
  return { id: file.id, name: file.name, size: file.size, type: file.type, url: fileUrl(file.id) }
}

export async function receiveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  options: FileUploadOptions
): Promise<void> {
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
  const admitted = options.files.admit(user.id, declared)
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

/** An answer that closes the connection once it is written. */
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
