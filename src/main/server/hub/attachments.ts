/**
 * Files on `send` and `dm`: the ids a client names are checked and claimed before the message is
 * stored (only the sender's own uploads, each in one message), and tied to the message once it is
 * (by the keys below, which is how deleting a message finds its files: FileStore.detachFilesOf).
 */
import type { AttachmentClaim } from '../files/attachment-claims'
import type { Session } from '../session-registry'
import type { Connection } from './connection'
import type { HubContext } from './hub-context'

export const roomMessageKey = (room: string, id: number): string => `#${room}:${id}`
export const dmKey = (id: number): string => `@dm:${id}`

/** The claim, or undefined after answering `invalid_files` (nothing is stored then). */
export function claimFiles(
  ctx: HubContext,
  connection: Connection,
  session: Session<Connection>,
  ids: string[] | undefined,
  ref: string
): AttachmentClaim | undefined {
  const result = ctx.options.files.claim(session.user.id, ids)
  if (result.ok) return result.claim
  ctx.sendError(connection, 'invalid_files', result.message, ref)
  return undefined
}
