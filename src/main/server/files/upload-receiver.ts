/**
 * An upload's bytes on their way to disk: streamed to a temp file while they are hashed and
 * counted (memory stays flat whatever the size), then renamed to their hash or, when that
 * content is already stored, dropped, so the same bytes uploaded twice are stored once.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { createWriteStream, existsSync, renameSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isRasterType } from '../../../shared/file-info'
import type { FileIndex, StoredFile } from './file-index'
import { uploadFailed, type FileRefusal } from './file-refusal'
import { SNIFF_BYTES, sniffRaster } from './raster-sniff'

export interface UploadMeta {
  /** Already cleaned (see cleanFileName). */
  name: string
  /** The client's Content-Type, normalised; a claim, checked against the bytes. */
  declaredType: string
}

export interface UploadPlaces {
  /** Where uploads are written while they arrive. */
  tmp: string
  blobPath(hash: string): string
  index: FileIndex
}

/**
 * Writes `body` and records it as `ownerId`'s. `grow` is asked before each chunk (with the bytes
 * received so far) and refuses it when the upload passes a limit.
 */
export async function receiveUpload(
  places: UploadPlaces,
  ownerId: string,
  body: Readable,
  meta: UploadMeta,
  grow: (bytes: number, received: number) => FileRefusal | null
): Promise<{ ok: true; file: StoredFile } | FileRefusal> {
  const temp = join(places.tmp, randomBytes(12).toString('hex'))
  const meter: UploadMeter = new UploadMeter((bytes) => grow(bytes, meter.bytes))
  try {
    await writeTemp(body, meter, temp)
    return { ok: true, file: keep(places, ownerId, meta, meter, temp) }
  } catch (error) {
    rmSync(temp, { force: true })
    if (error instanceof Refused) return error.refusal
    return uploadFailed()
  }
}

async function writeTemp(body: Readable, meter: UploadMeter, temp: string): Promise<void> {
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
}

function keep(
  places: UploadPlaces,
  ownerId: string,
  meta: UploadMeta,
  meter: UploadMeter,
  temp: string
): StoredFile {
  const { index } = places
  const hash = meter.hash.digest('hex')
  const path = places.blobPath(hash)
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

/**
 * The type clients are told: the sniffed raster type when the bytes are one; otherwise what the
 * uploader declared, except a raster type the bytes do not bear out (a client would try to show
 * it as a picture).
 */
function reportedType(declared: string, raster: string | null): string {
  if (raster !== null) return raster
  return isRasterType(declared) ? 'application/octet-stream' : declared
}

class Refused extends Error {
  constructor(readonly refusal: FileRefusal) {
    super(refusal.message)
  }
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
