/**
 * Who may change a room message. One place, so moderation (issue 14) extends `canDelete` with its
 * roles without touching the handlers.
 */
import type { ChatMessage, User } from '../../../shared/protocol'

/** Only the author edits: an edit puts words in the author's name. */
export function canEdit(actor: User, message: ChatMessage): boolean {
  return message.from.id === actor.id
}

/** The author may take a message back; moderators join here with the files/moderation work. */
export function canDelete(actor: User, message: ChatMessage): boolean {
  return message.from.id === actor.id
}
