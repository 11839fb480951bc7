/**
 * Direct messages: `dm` to a user with a session (connected, or dropped and still resumable:
 * a dropped user gets it in the DM replay of its resume). Idempotent by cid like room sends.
 */
import { claimFiles, dmKey } from './attachments'
import type { HandlersFor } from './dispatch'
import { CID_LOOKUP_WINDOW, earlierSend } from './earlier-send'
import type { HubContext } from './hub-context'
import { sharedDm } from './message-views'

export function createDirectMessageHandlers(ctx: HubContext): HandlersFor<'dm'> {
  const { store, broker, sessions } = ctx
  return {
    dm(connection, session, message) {
      const ref = message.cid ?? 'dm'
      const local = sessions.byUserId(message.to)
      // In a cluster the recipient may hold its session on another node: the store knows it.
      const target = local?.user ?? store.knownUser?.(message.to)
      if (!target) {
        ctx.sendError(
          connection,
          'no_such_user',
          `No user with id "${message.to.slice(0, 64)}" is here.`,
          ref
        )
        return
      }
      if (!ctx.textFits(connection, message.text, ref)) return
      const cid = message.cid
      const key = cid === undefined ? undefined : `@${target.id}\u0000${cid}`
      if (cid !== undefined && key !== undefined) {
        const earlier = earlierSend(session, session.sentDms, key, {
          byId: (id) => store.dmById(id),
          byCid: () => store.findDmByCid(session.user.id, target.id, cid, CID_LOOKUP_WINDOW)
        })
        if (earlier.state === 'stored') ctx.send(connection, { type: 'dm', ...earlier.value })
        if (earlier.state !== 'none') return
      }
      const claim = claimFiles(ctx, connection, session, message.files, ref)
      if (!claim) return
      store.appendDm(
        session.user,
        target,
        message.text,
        (error, stored) => {
          if (key !== undefined) {
            if (stored) session.sentDms.committed(key, stored.id)
            else session.sentDms.forget(key)
          }
          if (!stored) {
            claim.release()
            return ctx.storageFailed(session, error, ref)
          }
          claim.attach(dmKey(stored.id))
          if (local !== session) broker.publishToUser(target.id, sharedDm(stored))
          if (session.connection) ctx.send(session.connection, { type: 'dm', ...stored })
        },
        cid,
        claim.files
      )
      // After the call: an append that throws (a closed store) must not leave the key pending.
      if (key !== undefined) session.sentDms.pending(key)
    }
  }
}
