import type { EngineEvent } from '../engine/engine-events'
import type { StoreState } from './store-types'

/** At most one refresh this often: a storm of presence in new rooms asks the server once. */
export const ROOM_REFRESH_MIN_GAP_MS = 5000

/**
 * The server pushes no room creations (docs/protocol.md, "rooms"), so the client asks again for
 * the room list when the frames it receives name a room the last list did not have: one it just
 * created by joining it, or one the list predates. "More rooms" also refreshes when it is opened
 * and while it stays open (ui/more-rooms.tsx).
 */
export function namesUnknownRoom(state: StoreState, events: readonly EngineEvent[]): boolean {
  const known = new Set(state.serverRooms.map((room) => room.name))
  return events.some((event) => {
    if (event.type !== 'server') return false
    const { message } = event
    switch (message.type) {
      case 'joined':
      case 'presence':
      case 'presence_batch':
      case 'message':
        return !known.has(message.room)
      default:
        return false
    }
  })
}

/** Returns the check to run after each applied batch; it refreshes at most once per gap. */
export function createRoomListRefresh(now: () => number) {
  let lastAt = Number.NEGATIVE_INFINITY
  return (state: StoreState, events: readonly EngineEvent[]): void => {
    if (state.status !== 'open' || now() - lastAt < ROOM_REFRESH_MIN_GAP_MS) return
    if (!namesUnknownRoom(state, events)) return
    lastAt = now()
    state.refreshRooms()
  }
}
