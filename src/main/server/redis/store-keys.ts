/**
 * The Redis store's key layout. Everything sits under the cluster's prefix, so several clusters
 * (or tests) can share one Redis.
 */
export interface StoreKeys {
  /** A room's id sequence (INCR). */
  roomSeq(room: string): string
  /** A room's Stream: entry `<id>-1` is message `id`. */
  roomLog(room: string): string
  /** The set of room names. */
  rooms: string
  dmSeq: string
  dmLog: string
  /** Hash: token hash → the session's JSON, with the node that holds it. */
  sessions: string
  epoch: string
  /** A node's heartbeat key (node-liveness.ts). */
  node(id: string): string
  /** Pub/sub: every stored message and created room, in the order Redis ran their scripts. */
  events: string
  /** Pub/sub: every session write, so each node's session mirror stays current. */
  sessionEvents: string
}

export function storeKeys(prefix: string): StoreKeys {
  return {
    roomSeq: (room) => `${prefix}room:${room}:seq`,
    roomLog: (room) => `${prefix}room:${room}:log`,
    rooms: `${prefix}rooms`,
    dmSeq: `${prefix}dm:seq`,
    dmLog: `${prefix}dm:log`,
    sessions: `${prefix}sessions`,
    epoch: `${prefix}epoch`,
    node: (id) => `${prefix}node:${id}`,
    events: `${prefix}events`,
    sessionEvents: `${prefix}session-events`
  }
}
