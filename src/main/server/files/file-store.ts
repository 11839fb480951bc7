/**
 * Uploaded files on disk, by content: `<data>/files/blobs/<sha256>`, so the same bytes uploaded
 * twice are stored once. An upload streams to a temp file in `files/tmp` while it is hashed and
 * counted, then is renamed to its hash or dropped (upload-receiver.ts). Room for it is reserved
 * when it is admitted, before a byte is read (upload-admission.ts, upload-budget.ts), so parallel
 * uploads cannot together pass the per-user quota or the total budget. A send claims the files it
 * carries until the message is stored (attachment-claims.ts).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { FileLimits } from '../../../shared/file-info'
import { createAttachmentClaims, type ClaimResult } from './attachment-claims'
import { openFileIndex, type StoredFile } from './file-index'
import type { FileRefusal } from './file-refusal'
import { admitUpload, type AdmittedUpload } from './upload-admission'
import { createUploadBudget } from './upload-budget'

export const FILES_DIR = 'files'
export const FILE_INDEX_FILE = 'files.sqlite'

export interface FileStore {
  readonly limits: FileLimits
  /**
   * Admits an upload of `declaredBytes` (undefined for a chunked body, admitted as it grows) by
   * `ownerId`, or refuses it before its body is read.
   */
  admit(
    ownerId: string,
    declaredBytes: number | undefined
  ): { ok: true; upload: AdmittedUpload } | FileRefusal
  get(id: string): StoredFile | undefined
  blobPath(hash: string): string
  /**
   * Claims `ids` for a message `ownerId` is sending: each must be one of their uploads, not yet
   * attached to a message nor claimed by a send in flight. No ids: an empty claim.
   */
  claim(ownerId: string, ids: readonly string[] | undefined): ClaimResult
  /** Ties files to a message (`#room:id` / `@dm:id`), so deleting the message can find them. */
  attach(ids: readonly string[], message: string): void
  /** Stops serving the files of a deleted message and deletes blobs nothing else uses. */
  detachFilesOf(message: string): StoredFile[]
  /** Bytes stored for `ownerId` and on disk in total, reservations included. */
  usage(ownerId: string): { user: number; total: number }
  close(): void
}

export function openFileStore(dataDir: string, limits: FileLimits): FileStore {
  const root = join(dataDir, FILES_DIR)
  const blobs = join(root, 'blobs')
  const tmp = join(root, 'tmp')
  mkdirSync(blobs, { recursive: true })
  // Leftovers of uploads cut short by a crash: nothing refers to them.
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const index = openFileIndex(join(root, FILE_INDEX_FILE))
  const blobPath = (hash: string) => join(blobs, hash)
  const budget = createUploadBudget(index, limits)
  const places = { tmp, blobPath, index }

  return {
    limits,
    admit: (ownerId, declaredBytes) => admitUpload(budget, places, ownerId, declaredBytes),
    get: (id) => index.byId(id),
    blobPath,
    claim: createAttachmentClaims(index),
    attach: (ids, message) => index.attach(ids, message),
    detachFilesOf(message) {
      const { removed, orphanBlobs } = index.detachMessage(message)
      for (const hash of orphanBlobs) rmSync(blobPath(hash), { force: true })
      return removed
    },
    usage: (ownerId) => budget.usage(ownerId),
    close: () => index.close()
  }
}

/** Keeps the readable part of a name: no path, no control characters, at most 255 characters. */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = raw.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim()
  const chars = [...cleaned]
  const name = chars.length > 255 ? chars.slice(0, 255).join('') : cleaned
  return name === '' || name === '.' || name === '..' ? 'file' : name
}

/** A Content-Type without parameters, lower case; anything malformed or absent is octet-stream. */
export function normaliseType(header: string | undefined): string {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  return /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/.test(type) ? type : 'application/octet-stream'
}

/** Every upload whose temp file is still in `tmp` (for tests: nothing is left behind). */
export function pendingTempFiles(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, FILES_DIR, 'tmp'))
  } catch {
    return []
  }
}
