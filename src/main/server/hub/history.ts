/**
 * History: the `history` page a client asks for, and the stored messages other replies carry
 * (`joined.history` on join and resume, the DM replay after a resumed welcome). Every one goes
 * through the reply byte budget and shows each message as its viewer may see it.
 */
import { newestWithin, type ReplyAllowance } from '../reply-budget'
import type { ChatMessage } from '../../../shared/protocol'
import type { Session } from '../session-registry'
import type { Connection } from './connection'
import type { HandlersFor } from './dispatch'
import type { HubContext } from './hub-context'
import { forViewer } from './message-views'
import { requireRoom } from './room-membership'

export interface HistoryReplies {
  handlers: HandlersFor<'history'>
  /**
   * The `joined` reply: members, member count, the last messages (or those after `resumeAfter`),
   * the room's change number, and with `changesAfter` the messages changed since that number.
   * With `allowance` (a hello's shared reply budget) it spends from it, and once it is spent the
   * room's joined carries no history or members, only `hasMore`: the client asks.
   */
  sendJoined(
    connection: Connection,
    room: string,
    resumeAfter: number | undefined,
    allowance?: ReplyAllowance,
    changesAfter?: number
  ): void
  /**
   * The DMs to or from the session's user after `afterId`, within `maxBytes`: what to send after
   * the hello's joined frames (`send`), and the bytes it takes from the hello's allowance.
   */
  dmReplay(
    session: Session<Connection>,
    afterId: number,
    maxBytes: number
  ): { send(connection: Connection): void; bytes: number }
}

export function createHistory(ctx: HubContext): HistoryReplies {
  const { store, broker, limits } = ctx
  return {
    handlers: {
      history(connection, session, message) {
        // Like `members`: reading a room is for its members, who are seen in it.
        if (!requireRoom(ctx, connection, session, message.room, 'history')) return
        const limit = Math.min(message.limit ?? limits.joinHistory, limits.historyPageMax)
        const page = ctx.withinBudget(store.page(message.room, limit, message.before))
        ctx.send(connection, {
          type: 'history',
          room: message.room,
          messages: forViewer(page.messages, session.user.id),
          ...(page.hasMore ? { hasMore: true } : {})
        })
      }
    },
    sendJoined(connection, room, resumeAfter, allowance, changesAfter) {
      const viewerId = connection.session?.user.id ?? ''
      const page =
        resumeAfter !== undefined
          ? store.messagesAfter(room, resumeAfter, limits.resumeReplayMax)
          : store.page(room, limits.joinHistory)
      let members = broker.members(room, 0, limits.membersPageMax)
      let fitted = newestWithin(page.messages, ctx.replyBudget)
      if (allowance) {
        const membersBytes = Buffer.byteLength(JSON.stringify(members))
        if (membersBytes > allowance.left) members = []
        else allowance.left -= membersBytes
        fitted = newestWithin(page.messages, Math.min(ctx.replyBudget, allowance.left), false)
        allowance.left -= fitted.bytes
      }
      // Changes to messages the replay above carries anyway are in their current state already.
      // A store without message changes (Redis) has no change number: joined carries none.
      const rev = store.roomRev?.(room)
      let changes: ChatMessage[] | undefined
      if (rev !== undefined && changesAfter !== undefined && changesAfter < rev && store.changesAfter) {
        const changed = store.changesAfter(room, changesAfter, limits.changeReplayMax).messages
        const budget = allowance ? Math.min(ctx.replyBudget, allowance.left) : ctx.replyBudget
        const fittedChanges = newestWithin(changed, budget, !allowance)
        if (allowance) allowance.left -= fittedChanges.bytes
        changes = fittedChanges.messages
      }
      ctx.send(connection, {
        type: 'joined',
        room,
        members,
        memberCount: broker.memberCount(room),
        history: forViewer(fitted.messages, viewerId),
        ...(page.hasMore || fitted.cut ? { hasMore: true } : {}),
        ...(rev !== undefined ? { rev } : {}),
        ...(changes ? { changes: forViewer(changes, viewerId) } : {})
      })
    },
    dmReplay(session, afterId, maxBytes) {
      const page = store.dmsAfter(session.user.id, afterId, limits.resumeReplayMax)
      const fitted = newestWithin(page.messages, maxBytes)
      return {
        bytes: fitted.bytes,
        send(connection) {
          for (const dm of forViewer(fitted.messages, session.user.id))
            ctx.send(connection, { type: 'dm', ...dm })
        }
      }
    }
  }
}
