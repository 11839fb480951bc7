/**
 * A message's `cid` is its author's own key and goes only to the author: fan-out sends the shared
 * copies below, replays and history pages go through `forViewer`.
 */
import type { ChatMessage, DirectMessage, ServerMessageOf, User } from '../../../shared/protocol'

// Spelled out field by field: these run for every message fanned out, and a literal is what V8
// builds fastest (a rest-destructure copies through the runtime).
export function sharedMessage(m: ChatMessage): ServerMessageOf<'message'> {
  const shared: ServerMessageOf<'message'> = {
    type: 'message',
    room: m.room,
    id: m.id,
    from: m.from,
    text: m.text,
    ts: m.ts
  }
  if (m.replyTo !== undefined) shared.replyTo = m.replyTo
  if (m.files) shared.files = m.files
  return shared
}

export function sharedDm(m: DirectMessage): ServerMessageOf<'dm'> {
  const shared: ServerMessageOf<'dm'> = {
    type: 'dm',
    id: m.id,
    from: m.from,
    to: m.to,
    text: m.text,
    ts: m.ts
  }
  if (m.files) shared.files = m.files
  return shared
}

/** Replays and history pages: each message as `viewerId` may see it. */
export function forViewer<T extends { cid?: string; from: User }>(messages: T[], viewerId: string): T[] {
  return messages.map((m) => {
    if (m.cid === undefined || m.from.id === viewerId) return m
    const { cid: _authorsOnly, ...shared } = m
    return shared as T
  })
}
