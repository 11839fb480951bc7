/**
 * Which inspector frames belong to which chat message, both ways: a message's frames are its send
 * (matched by the author's cid), the server's echo or fan-out (by id, the cid too for the author),
 * an error about it (`ref` = cid) and the replays that carried it again (`joined`, `history`).
 * Protocol v1 has no edits, so there are no later frames to follow. Frames are parsed on demand,
 * when someone asks, never as they arrive: the frame log must stay cheap at a thousand a second.
 */
import type { FrameRecord } from '../engine/engine-events'
import { dmKey, isDmKey, type ChannelKey } from './channel-log'

export interface MessageRef {
  channel: ChannelKey
  id: number
  cid?: string
}

/** How a frame relates to its message, for the label beside it. */
export type FrameRole = 'send' | 'echo' | 'replay' | 'error'

interface Carried {
  id?: unknown
  cid?: unknown
}

function parse(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

function carries(list: unknown, id: number): boolean {
  return Array.isArray(list) && list.some((m: Carried | null) => m?.id === id)
}

/** The part this frame plays for the message, or null when it is not one of its frames. */
export function frameRoleFor(frame: FrameRecord, ref: MessageRef): FrameRole | null {
  // Cheap first: most frames do not even mention the id.
  if (!frame.data.includes(String(ref.id)) && !(ref.cid && frame.data.includes(ref.cid))) return null
  const value = parse(frame.data)
  if (!value) return null
  const dm = isDmKey(ref.channel)
  const inChannel = dm ? true : value.room === ref.channel
  if (frame.dir === 'out') {
    const sendType = dm ? 'dm' : 'send'
    return value.type === sendType && ref.cid !== undefined && value.cid === ref.cid && inChannel
      ? 'send'
      : null
  }
  switch (value.type) {
    case 'message':
      return !dm && inChannel && value.id === ref.id ? 'echo' : null
    case 'dm':
      return dm && value.id === ref.id ? 'echo' : null
    case 'joined':
      return !dm && inChannel && carries(value.history, ref.id) ? 'replay' : null
    case 'history':
      return !dm && inChannel && carries(value.messages, ref.id) ? 'replay' : null
    case 'error':
      return ref.cid !== undefined && value.ref === ref.cid ? 'error' : null
    default:
      return null
  }
}

/**
 * The message a single frame is about, when it is about one: a send or an echo (a replay carries
 * many, and is not linked). `myId` turns a DM into the right channel key (the other person).
 */
export function messageOfFrame(
  frame: FrameRecord,
  myId: string | undefined
): { channel: ChannelKey; id?: number; cid?: string } | null {
  if (frame.type !== 'send' && frame.type !== 'dm' && frame.type !== 'message') return null
  const value = parse(frame.data)
  if (!value) return null
  const cid = typeof value.cid === 'string' ? value.cid : undefined
  const id = typeof value.id === 'number' ? value.id : undefined
  if (value.type === 'send' || value.type === 'message') {
    return typeof value.room === 'string' ? { channel: value.room, id, cid } : null
  }
  if (frame.dir === 'out') return typeof value.to === 'string' ? { channel: dmKey(value.to), cid } : null
  const from = (value.from as { id?: unknown } | undefined)?.id
  const to = (value.to as { id?: unknown } | undefined)?.id
  const other = from === myId ? to : from
  return typeof other === 'string' ? { channel: dmKey(other), id, cid } : null
}
