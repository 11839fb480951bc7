/**
 * Room messages: `send`. Acknowledged and fanned out only from the store's append callback, once
 * the message is durable; with a `cid`, a resend is answered with the stored message, not stored
 * twice, and the cid goes to its author only.
 */
import { claimFiles, roomMessageKey } from './attachments'
import type { HandlersFor } from './dispatch'
import { CID_LOOKUP_WINDOW, earlierSend } from './earlier-send'
import type { HubContext } from './hub-context'
import { sharedMessage } from './message-views'
import { requireRoom } from './room-membership'

export function createRoomMessageHandlers(ctx: HubContext): HandlersFor<'send'> {
  const { store, broker } = ctx
  return {
    send(connection, session, message) {
      const { cid, room, text, replyTo } = message
      const ref = cid ?? 'send'
      if (!requireRoom(ctx, connection, session, room, ref)) return
      if (!ctx.textFits(connection, text, ref)) return
      if (replyTo !== undefined && !store.messageById(room, replyTo)) {
        ctx.sendError(
          connection,
          'no_such_message',
          `There is no message ${replyTo} in #${room} to reply to.`,
          ref
        )
        return
      }
      const extras = replyTo !== undefined ? { replyTo } : undefined
      if (cid === undefined) {
        const claim = claimFiles(ctx, connection, session, message.files, ref)
        if (!claim) return
        store.appendMessage(
          room,
          session.user,
          text,
          (error, stored) => {
            if (!stored) {
              claim.release()
              return ctx.storageFailed(session, error, ref)
            }
            claim.attach(roomMessageKey(room, stored.id))
            const sender = session.connection
            const copy = { type: 'message' as const, ...stored }
            broker.publish(room, copy)
            // The sender left the room while its message was being stored: it still gets its copy.
            if (sender && !broker.isMember(room, sender)) ctx.send(sender, copy)
          },
          undefined,
          claim.files,
          extras
        )
        return
      }
      const key = `#${room}\u0000${cid}`
      const earlier = earlierSend(session, session.sentMessages, key, {
        byId: (id) => store.messageById(room, id),
        byCid: () => store.findMessageByCid(room, session.user.id, cid, CID_LOOKUP_WINDOW)
      })
      // A resend of something already stored: acknowledge with the stored message, tell no one else.
      if (earlier.state === 'stored') ctx.send(connection, { type: 'message', ...earlier.value })
      if (earlier.state !== 'none') return
      // After the resend check: a resend is answered with the stored copy, its files already attached.
      const claim = claimFiles(ctx, connection, session, message.files, ref)
      if (!claim) return
      store.appendMessage(
        room,
        session.user,
        text,
        (error, stored) => {
          if (!stored) {
            session.sentMessages.forget(key)
            claim.release()
            return ctx.storageFailed(session, error, ref)
          }
          claim.attach(roomMessageKey(room, stored.id))
          session.sentMessages.committed(key, stored.id)
          const sender = session.connection
          broker.publish(room, sharedMessage(stored), sender)
          if (sender) ctx.send(sender, { type: 'message', ...stored })
        },
        cid,
        claim.files,
        extras
      )
      // After the call: an append that throws (a closed store) must not leave the key pending.
      session.sentMessages.pending(key)
    }
  }
}
