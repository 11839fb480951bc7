/**
 * Who may change a room message. One place, so moderation's roles (moderation/) extend it without
 * touching the handlers.
 */
import type { ChatMessage, User } from '../../../shared/protocol'

/** Only the author edits: an edit puts words in the author's name. */
export function canEdit(actor: User, message: ChatMessage): boolean {
  return message.from.id === actor.id
}

/**
 * The author may take a message back, and a moderator (named by the owner through the moderation
 * API) may remove anyone's. The owner acts over HTTP with the admin token, not as a chat user.
 */
export function canDelete(actor: User, message: ChatMessage, actorIsModerator: boolean): boolean {
  return message.from.id === actor.id || actorIsModerator
}
