/**
 * What an edit, a deletion or a reaction does to a stored message, as one pure function, so every
 * Store implementation (SQLite today, Redis later) changes messages the same way.
 */
import type { ChatMessage, Reaction } from '../../shared/protocol'
import type { MessageChange } from './store'

/** The message after `change`, stamped with `rev` (and `at` for an edit). */
export function applyChange(
  message: ChatMessage,
  change: MessageChange,
  rev: number,
  at: number
): ChatMessage {
  switch (change.kind) {
    case 'edit':
      return { ...message, text: change.text, editedAt: at, rev }
    case 'delete': {
      // A deletion keeps who and when (the gap stays visible in the conversation), not what:
      // neither its text nor its files (which the hub detaches, so they are no longer served).
      const { reactions: _gone, editedAt: _alsoGone, files: _files, ...kept } = message
      return { ...kept, text: '', deleted: true, rev }
    }
    case 'react':
      return withReactions(
        message,
        react(message.reactions ?? [], change.emoji, change.userId, change.on),
        rev
      )
  }
}

function withReactions(message: ChatMessage, reactions: Reaction[], rev: number): ChatMessage {
  const { reactions: _old, ...rest } = message
  return reactions.length > 0 ? { ...rest, reactions, rev } : { ...rest, rev }
}

/** `userId` added to (or taken from) `emoji`'s users; an emoji nobody holds any more disappears. */
export function react(reactions: Reaction[], emoji: string, userId: string, on: boolean): Reaction[] {
  const existing = reactions.find((r) => r.emoji === emoji)
  if (on) {
    if (!existing) return [...reactions, { emoji, users: [userId] }]
    if (existing.users.includes(userId)) return reactions
    return reactions.map((r) => (r === existing ? { emoji, users: [...r.users, userId] } : r))
  }
  if (!existing || !existing.users.includes(userId)) return reactions
  const users = existing.users.filter((u) => u !== userId)
  return users.length > 0
    ? reactions.map((r) => (r === existing ? { emoji, users } : r))
    : reactions.filter((r) => r !== existing)
}
