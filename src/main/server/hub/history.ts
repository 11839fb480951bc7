/**
 * History: the `history` page a client asks for, and the stored messages other replies carry
 * (`joined.history` on join and resume, the DM replay after a resumed welcome). Every one goes
 * through the reply byte budget and shows each message as its viewer may see it.
 */
import type { ServerMessage } from '../../../shared/protocol'
import type { Session } from '../session-registry'
import type { Connection } from './connection'
import type { HandlersFor } from './dispatch'
import type { HubContext } from './hub-context'
import { forViewer } from './message-views'

export interface HistoryReplies {
  handlers: HandlersFor<'history'>
  /**
   * The `joined` reply: members, member count, the last messages (or those after `resumeAfter`),
   * the room's change number, and with `changesAfter` the messages changed since that number.
   */
  sendJoined(
    connection: Connection,
    room: string,
    resumeAfter: number | undefined,
    sendReply?: (connection: Connection, message: ServerMessage) => void,
    changesAfter?: number
  ): void
  /** The DMs to or from the session's user after `afterId`, one frame each, in the hello's burst. */
  replayDms(connection: Connection, session: Session<Connection>, afterId: number): void
}

export function createHistory(ctx: HubContext): HistoryReplies {
  const { store, broker, limits } = ctx
  return {
    handlers: {
      history(connection, session, message) {
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
    sendJoined(connection, room, resumeAfter, sendReply = ctx.send, changesAfter) {
      const viewerId = connection.session?.user.id ?? ''
      const page = ctx.withinBudget(
        resumeAfter !== undefined
          ? store.messagesAfter(room, resumeAfter, limits.resumeReplayMax)
          : store.page(room, limits.joinHistory)
      )
      // Changes to messages the replay above carries anyway are in their current state already.
      const rev = store.roomRev(room)
      const changes =
        changesAfter !== undefined && changesAfter < rev
          ? ctx.withinBudget(store.changesAfter(room, changesAfter, limits.changeReplayMax)).messages
          : undefined
      sendReply(connection, {
        type: 'joined',
        room,
        members: broker.members(room, 0, limits.membersPageMax),
        memberCount: broker.memberCount(room),
        history: forViewer(page.messages, viewerId),
        ...(page.hasMore ? { hasMore: true } : {}),
        rev,
        ...(changes ? { changes: forViewer(changes, viewerId) } : {})
      })
    },
    replayDms(connection, session, afterId) {
      const page = ctx.withinBudget(store.dmsAfter(session.user.id, afterId, limits.resumeReplayMax))
      for (const dm of forViewer(page.messages, session.user.id)) {
        ctx.sendInBurst(connection, { type: 'dm', ...dm })
      }
    }
  }
}
