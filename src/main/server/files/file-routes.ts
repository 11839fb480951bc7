/**
 * HTTP for files: `POST /api/files` (upload, file-upload.ts) and `GET /files/:id` (download by
 * capability, file-download.ts), with the CORS preflight a page's upload sends first.
 */
import { answerPreflight, type HttpRoute } from '../http-replies'
import { serveDownload } from './file-download'
import { receiveUpload, type FileUploadOptions } from './file-upload'

/** The upload's needs cover the download's (the store). */
export type FileRoutesOptions = FileUploadOptions

const DOWNLOAD = /^\/files\/([^/]+)$/

export function createFileRoutes(options: FileRoutesOptions): HttpRoute {
  return async (req, res, path) => {
    const method = req.method ?? 'GET'
    if (path === '/api/files') {
      if (method === 'OPTIONS') {
        answerPreflight(req, res, options.checkOrigin, 'POST')
        return true
      }
      if (method === 'POST') {
        await receiveUpload(req, res, options)
        return true
      }
      return false
    }
    const match = DOWNLOAD.exec(path)
    if (match && (method === 'GET' || method === 'HEAD')) {
      await serveDownload(req, res, match[1] ?? '', options.files)
      return true
    }
    return false
  }
}
