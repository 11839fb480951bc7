/**
 * The server's own voice and its numbers, for the admin HTTP API and /api/stats: a message to a
 * room or a DM as the server user, room summaries and user counts.
 */
import { isValidRoomName, type RoomSummary, type ServerMessage, type User } from '../../../shared/protocol'
import { ROOM_NAME_RULE, type HubContext } from './hub-context'
import { roomAvailable, roomLimitSentence } from './rooms'

export type AdminError = 'invalid_room' | 'invalid_text' | 'no_such_user' | 'storage_failed'
export type AdminRefusal = { ok: false; status: number; error: AdminError; message: string }
export type AdminResult<T> = { ok: true; value: T } | AdminRefusal

export interface AdminApi {
  postAsServer(room: string, text: string): Promise<AdminResult<ServerMessage>>
  dmAsServer(userId: string, text: string): Promise<AdminResult<ServerMessage>>
  roomSummaries(): RoomSummary[]
  userCounts(): { users: number; online: number }
}

function refuse(status: number, error: AdminError, message: string): AdminRefusal {
  return { ok: false, status, error, message }
}

export function createAdminApi(ctx: HubContext): AdminApi {
  const { store, broker, sessions, limits } = ctx
  const serverUser: User = { id: 'server', nick: ctx.options.serverName }

  function textRefusal(text: string): AdminRefusal | undefined {
    if (text.length > 0 && text.length <= limits.maxTextLength) return undefined
    return refuse(400, 'invalid_text', `text must be 1–${limits.maxTextLength} characters.`)
  }

  function storageFailed(error: Error | null): AdminRefusal {
    ctx.storageFailed(null, error)
    return refuse(500, 'storage_failed', 'The message could not be stored.')
  }

  return {
    postAsServer(room, text) {
      if (!isValidRoomName(room)) return Promise.resolve(refuse(400, 'invalid_room', ROOM_NAME_RULE))
      const refusal =
        textRefusal(text) ??
        (roomAvailable(ctx, room) ? undefined : refuse(400, 'invalid_room', roomLimitSentence(ctx)))
      if (refusal) return Promise.resolve(refusal)
      store.ensureRoom(room)
      broker.addRoom(room)
      return new Promise((resolve) =>
        store.appendMessage(room, serverUser, text, (error, stored) => {
          if (!stored) return resolve(storageFailed(error))
          const message = { type: 'message' as const, ...stored }
          broker.publish(room, message)
          resolve({ ok: true, value: message })
        })
      )
    },
    dmAsServer(userId, text) {
      const target = sessions.byUserId(userId)
      if (!target) {
        return Promise.resolve(refuse(404, 'no_such_user', `No user with id "${userId.slice(0, 64)}".`))
      }
      const refusal = textRefusal(text)
      if (refusal) return Promise.resolve(refusal)
      return new Promise((resolve) =>
        store.appendDm(serverUser, target.user, text, (error, stored) => {
          if (!stored) return resolve(storageFailed(error))
          const message = { type: 'dm' as const, ...stored }
          broker.publishToUser(target.user.id, message)
          resolve({ ok: true, value: message })
        })
      )
    },
    roomSummaries: () => broker.roomSummaries(),
    userCounts() {
      let online = 0
      for (const session of sessions.all()) if (session.connection) online++
      return { users: sessions.size, online }
    }
  }
}
