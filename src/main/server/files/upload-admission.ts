/**
 * Admitting an upload: room is reserved before a byte is read (a declared length whole, since
 * HTTP framing holds the body to it; a chunked body as it arrives, cut the moment it passes a
 * limit), and given back exactly once however the upload ends.
 */
import type { Readable } from 'node:stream'
import type { StoredFile } from './file-index'
import type { FileRefusal } from './file-refusal'
import type { UploadBudget } from './upload-budget'
import { receiveUpload, type UploadMeta, type UploadPlaces } from './upload-receiver'

export interface AdmittedUpload {
  /** Streams `body` to disk and records it. The reservation is released however it ends. */
  receive(body: Readable, meta: UploadMeta): Promise<{ ok: true; file: StoredFile } | FileRefusal>
  /** Gives the reservation back without reading anything. */
  abandon(): void
}

export function admitUpload(
  budget: UploadBudget,
  places: UploadPlaces,
  ownerId: string,
  declaredBytes: number | undefined
): { ok: true; upload: AdmittedUpload } | FileRefusal {
  const usedByOwner = places.index.usedBy(ownerId)
  const upfront = declaredBytes ?? 0
  const refusal = budget.refusalFor(upfront, upfront, usedByOwner, ownerId)
  if (refusal) return refusal
  budget.reserve(ownerId, upfront)
  let reserved = upfront
  let settled = false
  const settle = () => {
    if (settled) return
    settled = true
    budget.release(ownerId, reserved)
  }
  const grow = (bytes: number, received: number): FileRefusal | null => {
    if (declaredBytes !== undefined) {
      return received + bytes > declaredBytes ? budget.refusalFor(Infinity, 0, usedByOwner, ownerId) : null
    }
    const over = budget.refusalFor(received + bytes, bytes, usedByOwner, ownerId)
    if (over) return over
    budget.reserve(ownerId, bytes)
    reserved += bytes
    return null
  }
  return {
    ok: true,
    upload: {
      async receive(body, meta) {
        try {
          return await receiveUpload(places, ownerId, body, meta, grow)
        } finally {
          settle()
        }
      },
      abandon: settle
    }
  }
}
