/**
 * The history as it is written to Redis and read back. An append is one script: it gives the
 * message its id (INCR of the room's, or the one DM, sequence), adds it to the Stream under
 * `<id>-1` and PUBLISHes it, in one atomic step: Redis runs scripts one at a time, so ids are
 * cluster-wide, increase per room, and every node receives a room's messages in id order.
 *
 * The Stream entry: `m` the body's JSON, `n` the node that stored it, `r` that node's request
 * number. The published event: the lines `kind room id node req body`, where kind is `m` (a room
 * message), `d` (a DM) or `r` (a room was created: id 0, no body); the body may hold newlines.
 */
import type { RedisClientType } from 'redis'
import type { ChatMessage, DirectMessage, User } from '../../../shared/protocol'
import type { MessageExtras } from '../store'
import type { StoreKeys } from './store-keys'

const APPEND_SCRIPT = `
local id = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], id .. '-1', 'm', ARGV[2], 'n', ARGV[3], 'r', ARGV[4])
if ARGV[1] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
redis.call('PUBLISH', KEYS[4], ARGV[5] .. '\\n' .. ARGV[1] .. '\\n' .. id .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[2])
return id`

/** A message as the script gets it: all but the id it is given (and the room, which is its key). */
export type AppendBody = Omit<ChatMessage, 'id' | 'room'> | Omit<DirectMessage, 'id'>

/** What a room message stores (its files are not kept on Redis yet). */
export function messageBody(from: User, text: string, cid?: string, extras?: MessageExtras): AppendBody {
  return {
    from,
    text,
    ts: Date.now(),
    ...(cid !== undefined ? { cid } : {}),
    ...(extras?.replyTo !== undefined ? { replyTo: extras.replyTo } : {})
  }
}

export function dmBody(from: User, to: User, text: string, cid?: string): AppendBody {
  return { from, to, text, ts: Date.now(), ...(cid !== undefined ? { cid } : {}) }
}

/** Which append stored a message: the node, and the request number that node gave it. */
export interface Origin {
  node: string
  req: string
}

/** A message the script stored, as its answer, its Stream entry or its published copy tell it. */
export type StoredEntry =
  | { kind: 'message'; message: ChatMessage; origin: Origin }
  | { kind: 'dm'; dm: DirectMessage; origin: Origin }

export type StoreEvent = StoredEntry | { kind: 'room'; room: string }

/** Runs the script for `json` (an AppendBody; a DM when `room` is undefined); answers the id it gave. */
export function runAppendScript(
  client: RedisClientType,
  keys: StoreKeys,
  room: string | undefined,
  json: string,
  origin: Origin
): Promise<unknown> {
  return client.eval(APPEND_SCRIPT, {
    keys:
      room === undefined
        ? [keys.dmSeq, keys.dmLog, keys.rooms, keys.events]
        : [keys.roomSeq(room), keys.roomLog(room), keys.rooms, keys.events],
    arguments: [room ?? '', json, origin.node, origin.req, room === undefined ? 'd' : 'm']
  })
}

/** The message the body `json` became once the script gave it `id`. */
export function storedMessage(room: string, id: number, json: string): ChatMessage {
  return { room, id, ...(JSON.parse(json) as Omit<ChatMessage, 'id' | 'room'>) }
}

export function storedDm(id: number, json: string): DirectMessage {
  return { id, ...(JSON.parse(json) as Omit<DirectMessage, 'id'>) }
}

/** An entry of a room's Stream or of the DM Stream: the id the script gave, the body, its origin. */
export function parseStreamEntry(entry: { id: string; message: Record<string, string> }): {
  id: number
  json: string
  origin: Origin
} {
  return {
    id: Number(entry.id.split('-')[0]),
    json: entry.message.m!,
    origin: { node: entry.message.n!, req: entry.message.r! }
  }
}

/** A payload of `<prefix>events`; undefined for a kind this node does not know. */
export function parseStoreEvent(payload: string): StoreEvent | undefined {
  const [kind, room, idText, node, req] = payload.split('\n', 5)
  const body = payload.split('\n').slice(5).join('\n')
  const id = Number(idText)
  const origin = { node: node!, req: req! }
  if (kind === 'm' && room) return { kind: 'message', message: storedMessage(room, id, body), origin }
  if (kind === 'd') return { kind: 'dm', dm: storedDm(id, body), origin }
  if (kind === 'r' && room) return { kind: 'room', room }
  return undefined
}

/** Lists a new room, and tells every node's mirror of it. */
export function addRoom(
  client: RedisClientType,
  keys: StoreKeys,
  room: string,
  node: string
): Promise<unknown> {
  return client.multi().sAdd(keys.rooms, room).publish(keys.events, `r\n${room}\n0\n${node}\n`).exec()
}
