/**
 * Files a send is about to carry, held from the check to the store's answer so that no other
 * send can take them meanwhile: each must be one of the sender's uploads, not attached to a
 * message yet nor claimed by a send in flight.
 */
import { fileUrl, type FileInfo } from '../../../shared/file-info'
import type { FileIndex } from './file-index'

export interface AttachmentClaim {
  readonly files: FileInfo[]
  /** The message is stored: the files are its own from now on (`#room:id` / `@dm:id`). */
  attach(message: string): void
  /** The message was not stored: the files are free again. */
  release(): void
}

export type ClaimResult = { ok: true; claim: AttachmentClaim } | { ok: false; message: string }

/** Claims `ids` for a message `ownerId` is sending. No ids: an empty claim. */
export function createAttachmentClaims(
  index: FileIndex
): (ownerId: string, ids?: readonly string[]) => ClaimResult {
  const claimed = new Set<string>()
  return (ownerId, ids = []) => {
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
  }
}
