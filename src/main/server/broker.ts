/**
 * The Broker seam: who is where, and getting a frame to them. Room membership and presence, fan-out
 * of one frame to a room's members and to one user's connection, and nick claims. The hub sees
 * only this interface; today's implementation is in-process (local-broker.ts), and a Redis one
 * (issue 15) must pass the same contract suite (test-support/server/broker-contract.ts).
 *
 * `C` is the hub's connection: the broker never looks inside it, it only hands it back to the
 * `deliver` function it was created with (which owns the slow-consumer check and the write).
 */
import type { RoomSummary, ServerMessage, User } from '../../shared/protocol'
import type { OutboundFrame } from './fanout'
import type { PresenceEvent } from './presence-batcher'

/** Writes one frame to one of this node's connections. The same frame object goes to every member. */
export type Deliver<C> = (connection: C, frame: OutboundFrame) => void

/**
 * A nick claim: refused while another user holds it, connected or dropped, until that user's
 * session ends and releases it. A dropped session's nick is its own for the resume window, or
 * anyone could take it over and its real owner's token would meet 4409.
 */
export type NickClaim = { ok: boolean }

export interface Broker<C> {
  /** Makes `room` known with no members: rooms outlive their members (every welcome lists them). */
  addRoom(room: string): void
  /** Forgets a room that has no members (a no-op while it has any), freeing its place under the cap. */
  removeRoom(room: string): void
  hasRoom(room: string): boolean
  readonly roomCount: number
  /** Every known room with its member count, by name. */
  roomSummaries(): RoomSummary[]

  /** Adds a member (creating the room if new). Presence is a separate call: a swap is silent. */
  join(room: string, connection: C, user: User): void
  leave(room: string, connection: C): void
  isMember(room: string, connection: C): boolean
  memberCount(room: string): number
  /** Members in the order they joined, `offset` on, at most `limit`: a large room is paged. */
  members(room: string, offset: number, limit: number): User[]
  /**
   * Queues a join or leave for the room's members (coalesced, see presence-batcher.ts). `except`
   * (the joiner) is not told of its own join.
   */
  presence(room: string, event: PresenceEvent, user: User, except?: C): void

  /**
   * One message to every member of `room` but `except`, serialized and framed once. Presence
   * queued for the room goes first, so no member sees a message from someone whose join it has not seen.
   */
  publish(room: string, message: ServerMessage, except?: C): void

  /** The connection `userId` is reachable on from now (replacing any earlier one). */
  attachUser(userId: string, connection: C): void
  /** `userId` is no longer reachable on `connection`; a no-op when it has moved to another. */
  detachUser(userId: string, connection: C): void
  isOnline(userId: string): boolean
  /** One message to the user's connection, if it has one. */
  publishToUser(userId: string, message: ServerMessage): void

  /**
   * Nicks are unique by nick-identity.ts's key: case, Unicode compatibility forms and confusable
   * letters folded ("Ann" = "ann" = "Ａｎｎ" = Cyrillic "Аnn").
   */
  claimNick(user: User): NickClaim
  /** Gives the nick up, if `user` still holds it. */
  releaseNick(user: User): void

  dispose(): void
}
