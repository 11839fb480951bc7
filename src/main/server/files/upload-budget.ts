/**
 * Room for uploads: what the index says is stored, plus what uploads in flight have reserved.
 * Room is reserved when an upload is admitted, before a byte is read, so parallel uploads cannot
 * together pass the per-user quota or the total budget.
 */
import type { FileLimits } from '../../../shared/file-info'
import type { FileIndex } from './file-index'
import { quotaExceeded, storageFull, tooLarge, type FileRefusal } from './file-refusal'

export interface UploadBudget {
  reserve(ownerId: string, bytes: number): void
  release(ownerId: string, bytes: number): void
  /** Bytes stored for `ownerId` and on disk in total, reservations included. */
  usage(ownerId: string): { user: number; total: number }
  /**
   * Null when an upload of `size` bytes, growing by `more` now, fits beside `usedByOwner` (read
   * once per upload) and everything else.
   */
  refusalFor(size: number, more: number, usedByOwner: number, ownerId: string): FileRefusal | null
}

export function createUploadBudget(index: FileIndex, limits: FileLimits): UploadBudget {
  const reservedBy = new Map<string, number>()
  let reservedTotal = 0
  return {
    reserve(ownerId, bytes) {
      reservedBy.set(ownerId, (reservedBy.get(ownerId) ?? 0) + bytes)
      reservedTotal += bytes
    },
    release(ownerId, bytes) {
      const left = (reservedBy.get(ownerId) ?? 0) - bytes
      if (left <= 0) reservedBy.delete(ownerId)
      else reservedBy.set(ownerId, left)
      reservedTotal -= bytes
    },
    usage(ownerId) {
      return {
        user: index.usedBy(ownerId) + (reservedBy.get(ownerId) ?? 0),
        total: index.totalBlobBytes() + reservedTotal
      }
    },
    refusalFor(size, more, usedByOwner, ownerId) {
      if (size > limits.maxFileBytes) return tooLarge(limits.maxFileBytes)
      if (usedByOwner + (reservedBy.get(ownerId) ?? 0) + more > limits.userQuotaBytes) {
        return quotaExceeded(limits.userQuotaBytes)
      }
      if (index.totalBlobBytes() + reservedTotal + more > limits.totalBytes) return storageFull()
      return null
    }
  }
}
