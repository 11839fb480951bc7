/**
 * Uploaded files on disk, by content: `<data>/files/blobs/<sha256>`, so the same bytes uploaded
 * twice are stored once. An upload streams to a temp file in `files/tmp` while it is hashed and
 * counted (memory stays flat whatever its size), then is renamed to its hash or, when that content
 * is already there, dropped. Room for it is reserved when it is admitted, before a byte is read,
 * so parallel uploads cannot together pass the per-user quota or the total budget.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync
} from 'node:fs'
import { join } from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileUrl, isRasterType, type FileInfo, type FileLimits } from '../../../shared/file-info'
import { openFileIndex, type StoredFile } from './file-index'
import { SNIFF_BYTES, sniffRaster } from './raster-sniff'

export const FILES_DIR = 'files'
export const FILE_INDEX_FILE = 'files.sqlite'

export type FileError = 'too_large' | 'quota_exceeded' | 'storage_full' | 'upload_failed'
export interface FileRefusal {
  ok: false
  status: 400 | 413 | 500 | 507
  error: FileError
  message: string
}

export interface UploadMeta {
  /** Already cleaned (see cleanFileName). */
  name: string
  /** The client's Content-Type, normalised; a claim, checked against the bytes. */
  declaredType: string
}

export interface AdmittedUpload {
  /** Streams `body` to disk and records it. The reservation is released however it ends. */
  receive(body: Readable, meta: UploadMeta): Promise<{ ok: true; file: StoredFile } | FileRefusal>
  /** Gives the reservation back without reading anything. */
  abandon(): void
}

/** Files a send is about to carry, held so no other send can take them meanwhile. */
export interface AttachmentClaim {
  readonly files: FileInfo[]
  /** The message is stored: the files are its own from now on (`#room:id` / `@dm:id`). */
  attach(message: string): void
  /** The message was not stored: the files are free again. */
  release(): void
}

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
  claim(
    ownerId: string,
    ids: readonly string[] | undefined
  ): { ok: true; claim: AttachmentClaim } | { ok: false; message: string }
  /** Ties files to a message (`#room:id` / `@dm:id`), so deleting the message can find them. */
  attach(ids: readonly string[], message: string): void
  /** Stops serving the files of a deleted message and deletes blobs nothing else uses. */
  detachFilesOf(message: string): StoredFile[]
  /** Bytes stored for `ownerId` and on disk in total, reservations included. */
  usage(ownerId: string): { user: number; total: number }
  close(): void
}

class Refused extends Error {
  constructor(readonly refusal: FileRefusal) {
    super(refusal.message)
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`
}

/** Hashes and counts what passes, keeps the first bytes for sniffing, and stops at the budget. */
class UploadMeter extends Transform {
  readonly hash: Hash = createHash('sha256')
  bytes = 0
  head = Buffer.alloc(0)

  constructor(private readonly grow: (bytes: number) => FileRefusal | null) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const refusal = this.grow(chunk.length)
    if (refusal) {
      callback(new Refused(refusal))
      return
    }
    this.bytes += chunk.length
    this.hash.update(chunk)
    if (this.head.length < SNIFF_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)])
    }
    callback(null, chunk)
  }
}

/**
 * The type clients are told: the sniffed raster type when the bytes are one; otherwise what the
 * uploader declared, except a raster type the bytes do not bear out (a client would try to show
 * it as a picture).
 */
function reportedType(declared: string, raster: string | null): string {
  if (raster !== null) return raster
  return isRasterType(declared) ? 'application/octet-stream' : declared
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
  const reservedBy = new Map<string, number>()
  let reservedTotal = 0
  const claimed = new Set<string>()

  const blobPath = (hash: string) => join(blobs, hash)

  function reserve(ownerId: string, bytes: number): void {
    reservedBy.set(ownerId, (reservedBy.get(ownerId) ?? 0) + bytes)
    reservedTotal += bytes
  }
  function release(ownerId: string, bytes: number): void {
    const left = (reservedBy.get(ownerId) ?? 0) - bytes
    if (left <= 0) reservedBy.delete(ownerId)
    else reservedBy.set(ownerId, left)
    reservedTotal -= bytes
  }

  function usage(ownerId: string) {
    return {
      user: index.usedBy(ownerId) + (reservedBy.get(ownerId) ?? 0),
      total: index.totalBlobBytes() + reservedTotal
    }
  }

  /** Null when `more` bytes fit beside `usedByOwner` (read once per upload) and everything else. */
  function refusalFor(size: number, more: number, usedByOwner: number, ownerId: string): FileRefusal | null {
    if (size > limits.maxFileBytes) {
      return {
        ok: false,
        status: 413,
        error: 'too_large',
        message: `Files can be at most ${mib(limits.maxFileBytes)} on this server.`
      }
    }
    if (usedByOwner + (reservedBy.get(ownerId) ?? 0) + more > limits.userQuotaBytes) {
      return {
        ok: false,
        status: 507,
        error: 'quota_exceeded',
        message: `Your uploads would pass your ${mib(limits.userQuotaBytes)} quota on this server.`
      }
    }
    if (index.totalBlobBytes() + reservedTotal + more > limits.totalBytes) {
      return {
        ok: false,
        status: 507,
        error: 'storage_full',
        message: "The server's space for files is used up; ask its host to make room."
      }
    }
    return null
  }

  function store(ownerId: string, meta: UploadMeta, meter: UploadMeter, temp: string): StoredFile {
    const hash = meter.hash.digest('hex')
    const path = blobPath(hash)
    const known = index.hasBlob(hash) && existsSync(path)
    // Synchronous from here to the row: two uploads of the same bytes finishing together cannot
    // both decide the blob is new.
    if (known) unlinkSync(temp)
    else renameSync(temp, path)
    const raster = sniffRaster(meter.head)
    const file: StoredFile = {
      id: randomBytes(16).toString('base64url'),
      hash,
      name: meta.name,
      size: meter.bytes,
      type: reportedType(meta.declaredType, raster),
      raster,
      ownerId,
      createdAt: Date.now(),
      message: null
    }
    index.add(file, !index.hasBlob(hash))
    return file
  }

  return {
    limits,
    admit(ownerId, declaredBytes) {
      const usedByOwner = index.usedBy(ownerId)
      const upfront = declaredBytes ?? 0
      const refusal = refusalFor(upfront, upfront, usedByOwner, ownerId)
      if (refusal) return refusal
      reserve(ownerId, upfront)
      let reserved = upfront
      let settled = false
      const settle = () => {
        if (settled) return
        settled = true
        release(ownerId, reserved)
      }
      // A declared length was reserved whole (HTTP framing holds the body to it); a chunked body
      // reserves as it arrives and is cut the moment it passes a limit.
      const grow = (bytes: number, received: number): FileRefusal | null => {
        if (declaredBytes !== undefined) {
          return received + bytes > declaredBytes ? refusalFor(Infinity, 0, usedByOwner, ownerId) : null
        }
        const over = refusalFor(received + bytes, bytes, usedByOwner, ownerId)
        if (over) return over
        reserve(ownerId, bytes)
        reserved += bytes
        return null
      }
      return {
        ok: true,
        upload: {
          async receive(body, meta) {
            const temp = join(tmp, randomBytes(12).toString('hex'))
            const meter: UploadMeter = new UploadMeter((bytes) => grow(bytes, meter.bytes))
            try {
              // Not pipeline(body, …): on a refusal it would destroy the request, and with it the
              // socket the 413/507 must go out on. `pipe` leaves the body to the caller instead.
              const written = pipeline(meter, createWriteStream(temp, { flags: 'wx' }))
              const cutOff = () => {
                if (!body.readableEnded) meter.destroy(new Error('The upload was cut off.'))
              }
              body.once('error', cutOff)
              body.once('close', cutOff)
              body.pipe(meter)
              try {
                await written
              } finally {
                body.off('error', cutOff)
                body.off('close', cutOff)
                body.unpipe(meter)
              }
              return { ok: true, file: store(ownerId, meta, meter, temp) }
            } catch (error) {
              rmSync(temp, { force: true })
              if (error instanceof Refused) return error.refusal
              return {
                ok: false,
                status: 500,
                error: 'upload_failed',
                message: 'The upload was cut off or could not be written; try again.'
              }
            } finally {
              settle()
            }
          },
          abandon: settle
        }
      }
    },
    get: (id) => index.byId(id),
    blobPath,
    claim(ownerId, ids = []) {
      const files: FileInfo[] = []
      for (const id of ids) {
        const file = index.byId(id)
        if (!file || file.ownerId !== ownerId) {
          return { ok: false, message: `File ${id.slice(0, 32)} is not one of your uploads on this server.` }
        }
        if (file.message !== null || claimed.has(id)) {
          return { ok: false, message: `File ${file.name} is already attached to another message.` }
        }
        files.push({ id, name: file.name, size: file.size, type: file.type, url: fileUrl(id) })
      }
      for (const id of ids) claimed.add(id)
      let settled = ids.length === 0
      const settle = () => {
        settled = true
        for (const id of ids) claimed.delete(id)
      }
      return {
        ok: true,
        claim: {
          files,
          attach(message) {
            if (settled) return
            index.attach(ids, message)
            settle()
          },
          release() {
            if (!settled) settle()
          }
        }
      }
    },
    attach: (ids, message) => index.attach(ids, message),
    detachFilesOf(message) {
      const { removed, orphanBlobs } = index.detachMessage(message)
      for (const hash of orphanBlobs) rmSync(blobPath(hash), { force: true })
      return removed
    },
    usage,
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
