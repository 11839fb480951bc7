import type { OutboxTarget } from '../engine/outbox'
import { dmKey, isDmKey, type ChannelKey } from './channel-log'
import type { StoreState } from './store-types'

/** The channel an outgoing message belongs to. */
export const targetKey = (target: OutboxTarget): ChannelKey =>
  target.kind === 'room' ? target.room : dmKey(target.to)

/** "#room" or "@nick" for the open channel, or null when none is open. */
export function selectChannelLabel(state: StoreState): string | null {
  const { current } = state
  if (!current) return null
  if (!isDmKey(current)) return `#${current}`
  const peer = state.dms.find((d) => dmKey(d.id) === current)
  return `@${peer?.nick ?? 'someone'}`
}

/**
 * People in the open room: the server's count, which a large room's member list (paged in
 * 200 at a time) can fall short of. Undefined when no room is open.
 */
export function selectMemberCount(state: StoreState): number | undefined {
  const { current } = state
  if (!current || isDmKey(current)) return undefined
  const listed = state.members[current]
  if (!listed) return undefined
  return Math.max(state.memberPaging[current]?.total ?? 0, listed.length)
}
