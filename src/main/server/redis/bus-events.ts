/**
 * What the cluster's nodes tell each other on the broker's channel (`<prefix>broker`), one JSON
 * object a message, each with the node that sent it.
 */
import type { ServerMessage, User } from '../../../shared/protocol'
import type { PresenceEvent } from '../presence-batcher'

export type BusEvent =
  | { k: 'join' | 'leave'; node: string; room: string; user: User }
  | { k: 'presence'; node: string; room: string; event: PresenceEvent; user: User }
  | { k: 'attach' | 'detach'; node: string; userId: string }
  | { k: 'nick'; node: string; key: string; userId: string }
  | { k: 'unnick'; node: string; key: string; userId: string }
  | { k: 'publish'; node: string; room: string; message: ServerMessage }
  | { k: 'user'; node: string; to: string; userId: string; message: ServerMessage }
  | { k: 'beat' | 'bye' | 'hello'; node: string }
  | NodeState

/** Everything a node holds, announced when another node says `hello`. */
export interface NodeState {
  k: 'state'
  node: string
  members: [string, User][]
  online: string[]
  nicks: [string, string][]
  rooms: string[]
}
