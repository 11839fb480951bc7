import { isValidRoomName, type User } from '../../../shared/protocol'
import { dmKey } from './channel-log'
import type { RoomsSlice, SliceCreator, SliceState } from './store-types'

export const initialRoomsState = (): SliceState<RoomsSlice> => ({
  joinedRooms: [],
  serverRooms: [],
  dms: [],
  current: null,
  unread: {},
  lastRead: {}
})

export const createRoomsSlice: SliceCreator<RoomsSlice> = (set, get) => ({
  ...initialRoomsState(),

  joinRoom(input) {
    const name = input.trim().replace(/^#/, '').toLowerCase()
    if (!isValidRoomName(name)) {
      return 'Room names are 1–32 characters of a–z, 0–9, - and _.'
    }
    const { engine, joinedRooms } = get()
    if (joinedRooms.includes(name)) {
      get().selectChannel(name)
      return null
    }
    if (!engine?.send({ type: 'join', room: name }))
      return 'Not connected: join again once the connection is back.'
    set({ current: name })
    return null
  },

  leaveRoom(name) {
    get().engine?.send({ type: 'leave', room: name })
  },

  selectChannel(key) {
    const { unread, current, logs, lastRead } = get()
    // Everything in the channel being left has been seen, even when that was nothing yet.
    const leaving =
      current !== null && current !== key ? (logs[current]?.entries.at(-1)?.order ?? 0) : undefined
    set({
      current: key,
      ...(unread[key] ? { unread: { ...unread, [key]: 0 } } : {}),
      ...(leaving !== undefined && current ? { lastRead: { ...lastRead, [current]: leaving } } : {})
    })
  },

  openDm(user: User) {
    if (user.id === get().me?.id) return
    const dms = get().dms
    if (!dms.some((d) => d.id === user.id)) set({ dms: [...dms, { id: user.id, nick: user.nick }] })
    get().selectChannel(dmKey(user.id))
  },

  refreshRooms() {
    get().engine?.send({ type: 'rooms' })
  }
})
