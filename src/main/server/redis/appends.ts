/**
 * This node's appends in flight. Each gets a request number, which the script stores with the
 * message, and runs the script; it is done when its message is applied to the mirror, from the
 * script's answer or from the published copy, whichever comes first, so this node's members see
 * its own messages and the other nodes' in the one order. `done` runs only after Redis answered
 * the script (with `appendfsync always` the AOF is on disk by then).
 */
import type { RedisClientType } from 'redis'
import type { ChatMessage, DirectMessage } from '../../../shared/protocol'
import {
  runAppendScript,
  storedDm,
  storedMessage,
  type AppendBody,
  type Origin,
  type StoredEntry
} from './history-wire'
import type { StoreKeys } from './store-keys'

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable'
  constructor(cause?: unknown) {
    super(
      'The message store (Redis) is unreachable: the message was not acknowledged; send it again later.',
      { cause }
    )
  }
}

export type AppendDone = (error: Error | null, stored: ChatMessage | DirectMessage | undefined) => void

export interface Appends {
  /** Stores `body` in `room`, or as a DM when `room` is undefined. */
  append(room: string | undefined, body: AppendBody, done: AppendDone): void
  /**
   * Calls back the append of this node that stored `message` (from `origin`); false when none
   * was waiting for it.
   */
  settle(message: ChatMessage | DirectMessage, origin: Origin): boolean
  readonly inFlight: number
}

export interface AppendsOptions {
  client: RedisClientType
  keys: StoreKeys
  nodeId: string
  /** The script's answer: the message as stored, to offer to the mirror. */
  answered(entry: StoredEntry): void
}

export function createAppends({ client, keys, nodeId, answered }: AppendsOptions): Appends {
  const pending = new Map<string, AppendDone>()
  let requestSeq = 0
  return {
    append(room, body, done) {
      const origin = { node: nodeId, req: `${++requestSeq}` }
      const json = JSON.stringify(body)
      pending.set(origin.req, done)
      runAppendScript(client, keys, room, json, origin)
        .then((reply) => {
          const id = Number(reply)
          if (room === undefined) answered({ kind: 'dm', dm: storedDm(id, json), origin })
          else answered({ kind: 'message', message: storedMessage(room, id, json), origin })
        })
        .catch((error: unknown) => {
          // Applied already (its published copy came though the answer did not): `done` has run.
          if (!pending.delete(origin.req)) return
          done(new StoreUnavailableError(error), undefined)
        })
    },
    settle(message, origin) {
      const done = origin.node === nodeId ? pending.get(origin.req) : undefined
      if (!done) return false
      pending.delete(origin.req)
      done(null, message)
      return true
    },
    get inFlight() {
      return pending.size
    }
  }
}
