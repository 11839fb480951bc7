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
