/**
 * Changes to room messages: `edit` (author only), `delete` (see canDelete) and `react`. Each is
 * checked against the message as it now is, stored through `store.changeMessage` (which gives it
 * the room's next change number), and fanned out to the room only once durable. A resuming client
 * gets the ones it missed in `joined.changes` (history.ts).
 */
import type { ChatMessage } from '../../../shared/protocol'
import type { Session } from '../session-registry'
import type { MessageChange } from '../store'
import type { Connection } from './connection'
import type { HandlersFor } from './dispatch'
import type { HubContext } from './hub-context'
import { roomMessageKey } from './attachments'
import { canDelete, canEdit } from './message-permissions'
import { requireRoom } from './room-membership'

export function createMessageChangeHandlers(ctx: HubContext): HandlersFor<'edit' | 'delete' | 'react'> {
  const { store, broker, limits } = ctx

  /** The live message `id` of a room the session is in, or undefined after answering why not. */
  function target(
    connection: Connection,
    session: Session<Connection>,
    room: string,
    id: number,
    ref: string
  ): ChatMessage | undefined {
    if (!requireRoom(ctx, connection, session, room, ref)) return undefined
    const message = store.messageById(room, id)
    if (message && !message.deleted) return message
    ctx.sendError(connection, 'no_such_message', `There is no message ${id} in #${room}.`, ref)
    return undefined
  }

  /** False after answering `unsupported`: this server's store (Redis) has no message changes. */
  function supported(connection: Connection, ref: string): boolean {
    if (store.messageChanges && store.changeMessage) return true
    const sentence =
      'This server cannot edit, delete or react to messages (its message store does not support it).'
    ctx.sendError(connection, 'unsupported', sentence, ref)
    return false
  }

  function change(
    session: Session<Connection>,
    room: string,
    id: number,
    what: MessageChange,
    announce: (changed: ChatMessage) => void
  ): void {
    store.changeMessage?.(room, id, what, (error, changed) => {
      if (changed) return announce(changed)
      // Deleted between the check and the write (it cannot be, single-threaded, but a store on
      // the network may): nothing was stored, so nothing is announced.
      if (error?.message.startsWith('No message')) return
      ctx.storageFailed(session, error)
    })
  }

  return {
    edit(connection, session, { room, id, text }) {
      if (!supported(connection, 'edit')) return
      if (!ctx.textFits(connection, text, 'edit')) return
      const message = target(connection, session, room, id, 'edit')
      if (!message) return
      if (!canEdit(session.user, message)) {
        ctx.sendError(connection, 'forbidden', 'Only its author can edit a message.', 'edit')
        return
      }
      change(session, room, id, { kind: 'edit', text }, (m) =>
        broker.publish(room, {
          type: 'edited',
          room,
          id,
          text: m.text,
          editedAt: m.editedAt ?? 0,
          rev: m.rev ?? 0
        })
      )
    },
    delete(connection, session, { room, id }) {
      if (!supported(connection, 'delete')) return
      const message = target(connection, session, room, id, 'delete')
      if (!message) return
      if (!canDelete(session.user, message, ctx.options.moderators.isModerator(session.user.id))) {
        ctx.sendError(
          connection,
          'forbidden',
          'You can delete only your own messages (moderators can delete any).',
          'delete'
        )
        return
      }
      change(session, room, id, { kind: 'delete' }, (m) => {
        // Once the deletion is durable its files are no longer served (and unshared blobs go).
        ctx.options.files.detachFilesOf(roomMessageKey(room, id))
        broker.publish(room, { type: 'deleted', room, id, rev: m.rev ?? 0 })
      })
    },
    react(connection, session, { room, id, emoji, on }) {
      if (!supported(connection, 'react')) return
      if (emoji.length > limits.maxEmojiLength) {
        const sentence = `A reaction is at most ${limits.maxEmojiLength} characters; this one is ${emoji.length}.`
        ctx.sendError(connection, 'emoji_too_long', sentence, 'react')
        return
      }
      const message = target(connection, session, room, id, 'react')
      if (!message) return
      const reactions = message.reactions ?? []
      if (
        on &&
        reactions.length >= limits.maxReactionsPerMessage &&
        !reactions.some((r) => r.emoji === emoji)
      ) {
        const sentence = `A message holds at most ${limits.maxReactionsPerMessage} different reactions.`
        ctx.sendError(connection, 'too_many_reactions', sentence, 'react')
        return
      }
      change(session, room, id, { kind: 'react', emoji, userId: session.user.id, on }, (m) =>
        broker.publish(room, { type: 'reactions', room, id, reactions: m.reactions ?? [], rev: m.rev ?? 0 })
      )
    }
  }
}
