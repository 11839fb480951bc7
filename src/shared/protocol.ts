/**
 * Parley protocol v1: the one contract between the chat server and every client.
 *
 * Each text frame carries one JSON object with a string `type`. The schemas below are the
 * runtime validators for both directions; the server validates everything it receives with
 * `parseClientMessage`, the client validates everything it receives with `parseServerMessage`.
 * Unknown fields are stripped (zod's default), so newer peers can add fields without breaking
 * older ones. docs/protocol.md is the prose version of this file; keep them in step.
 */
import { z } from 'zod'
import { FILE_ID_PATTERN, fileInfoSchema, MAX_FILES_PER_MESSAGE } from './file-info'

/** The WebSocket subprotocol name. A client offering none is served as v1 too. */
export const SUBPROTOCOL = 'parley.v1'

/** Room names: 1–32 of a-z 0-9 - _. Rooms are created on first join; `general` always exists. */
export const ROOM_NAME_PATTERN = /^[a-z0-9_-]{1,32}$/
export const DEFAULT_ROOM = 'general'

/**
 * The key a client uses in `hello.resume` for direct messages: `{"@dm": lastSeenDmId}`.
 * It can never clash with a room name, which cannot contain `@`.
 */
export const DM_RESUME_KEY = '@dm'

/** Server defaults; a server may be configured otherwise and tells clients in `welcome.server.limits`. */
export const DEFAULT_LIMITS = {
  /** Largest accepted frame, bytes; bigger frames close the connection with 1009. */
  maxPayloadBytes: 64 * 1024,
  /** Longest message text, UTF-16 code units (String.length); longer → error `text_too_long`. */
  maxTextLength: 4000,
  maxNickLength: 32,
  /** Messages a client may send at once before the steady rate applies. */
  rateBurst: 30,
  /** Steady messages per second per connection; exceeding burst + rate closes with 4429. */
  ratePerSecond: 10,
  /** A first `hello` must arrive within this, else 4408. */
  helloTimeoutMs: 10_000,
  /** How long a dropped session can be resumed. */
  sessionResumeMs: 120_000,
  /** Messages in `joined.history` on a fresh join. */
  joinHistory: 50,
  /** Largest `history.limit`. */
  historyPageMax: 200,
  /** Most members listed in `joined` and in one `members` page; page with `members` for the rest. */
  membersPageMax: 200,
  /** Most messages replayed per room on resume; the client pages back with `history` for the rest. */
  resumeReplayMax: 1000,
  /** Unsent bytes queued for one client before it is closed as a slow consumer (1013). */
  maxBufferedBytes: 1024 * 1024,
  /** Longest reaction emoji (or :shortcode:), UTF-16 code units; longer → error `emoji_too_long`. */
  maxEmojiLength: 32,
  /** Most different emoji on one message; one more → error `too_many_reactions`. */
  maxReactionsPerMessage: 20,
  /** Most changes (edits, deletions, reactions) replayed per room on resume, newest kept. */
  changeReplayMax: 1000,
  /** Longest search query, UTF-16 code units; longer → error `query_too_long`. */
  maxSearchLength: 200,
  /** Most room messages (and, separately, DMs) in one search reply, newest first. */
  searchResultsMax: 50
} as const

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number }

// ---------------------------------------------------------------------------------------------
// Building blocks

const roomName = z.string().regex(ROOM_NAME_PATTERN)
/** Client-chosen correlation id, echoed back on the sender's copy as its acknowledgement. */
const cid = z.string().min(1).max(64)
// Text is only type-checked here (non-empty unless files come with it, see hasContent below);
// its length limit is the server's (error `text_too_long`).
const nick = z
  .string()
  .trim()
  .min(1)
  .max(DEFAULT_LIMITS.maxNickLength)
  // Control characters would let a nick forge line breaks in other people's UIs and logs;
  // invisible ones (default-ignorables such as U+034F, U+FE0F, U+3164, and the blank U+2800) would
  // let "alice" plus an invisible character pass as someone other than alice.
  .regex(
    /^[^\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u,
    'nick must not contain control, format or invisible characters'
  )
const messageId = z.number().int().nonnegative()

export const userSchema = z.object({ id: z.string(), nick: z.string() })
export type User = z.infer<typeof userSchema>

/** One emoji on a message and who put it there, in the order they reacted. */
export const reactionSchema = z.object({ emoji: z.string(), users: z.array(z.string()) })
export type Reaction = z.infer<typeof reactionSchema>
/** Files attached by the sender (uploaded first over HTTP, see docs/protocol.md, Files). */
const attachedFiles = z.array(fileInfoSchema).max(MAX_FILES_PER_MESSAGE)

export const chatMessageSchema = z.object({
  room: z.string(),
  id: messageId,
  from: userSchema,
  /** Empty when `deleted`. */
  text: z.string(),
  /** Server time, milliseconds since the epoch. */
  ts: z.number(),
  cid: cid.optional(),
  /** The id of the message (same room) this one answers. */
  replyTo: messageId.optional(),
  /** When the author last edited the text. */
  editedAt: z.number().optional(),
  /** Deleted by its author (or a moderator): no text, no reactions. */
  deleted: z.literal(true).optional(),
  reactions: z.array(reactionSchema).optional(),
  /** The room's change number of this message's last edit, deletion or reaction (see `joined.rev`). */
  rev: z.number().int().nonnegative().optional(),
  files: attachedFiles.optional()
})
export type ChatMessage = z.infer<typeof chatMessageSchema>

export const directMessageSchema = z.object({
  /** One sequence for all direct messages on the server; only grows. */
  id: messageId,
  from: userSchema,
  to: userSchema,
  text: z.string(),
  ts: z.number(),
  cid: cid.optional(),
  files: attachedFiles.optional()
})
export type DirectMessage = z.infer<typeof directMessageSchema>

export const roomSummarySchema = z.object({ name: z.string(), members: z.number().int().nonnegative() })
export type RoomSummary = z.infer<typeof roomSummarySchema>

// ---------------------------------------------------------------------------------------------
// Client → server

export const helloSchema = z.object({
  type: z.literal('hello'),
  nick,
  password: z.string().max(1024).optional(),
  /** The token from an earlier `welcome.session`, to take that session over. */
  session: z.string().max(256).optional(),
  /** Last message id seen per room (and `@dm` for direct messages): replay what came after. */
  resume: z.record(z.string().max(40), messageId).optional(),
  /** Last change number seen per room (`joined.rev` and the change frames): replay the changes after it. */
  changes: z.record(z.string().max(40), z.number().int().nonnegative()).optional()
})

/** Emoji are short and carry no spaces or control characters (a shortcode like `:tada:` is fine). */
const emoji = z
  .string()
  .min(1)
  .regex(/^[^\s\p{Cc}]+$/u, 'emoji must not contain spaces or control characters')
/** Ids of files the sender uploaded (POST /api/files), at most MAX_FILES_PER_MESSAGE, each once. */
const files = z
  .array(z.string().regex(FILE_ID_PATTERN))
  .min(1)
  .max(MAX_FILES_PER_MESSAGE)
  .refine((ids) => new Set(ids).size === ids.length, 'a file can be attached once')
  .optional()
/** A message says something: text, or files (a screenshot needs no caption). */
const hasContent = (m: { text: string; files?: string[] }) => m.text.length > 0 || (m.files?.length ?? 0) > 0
const NO_CONTENT = { message: 'text must not be empty unless files are attached', path: ['text'] }

export const clientMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  z.object({ type: z.literal('join'), room: roomName }),
  z.object({ type: z.literal('leave'), room: roomName }),
  z.object({ type: z.literal('rooms') }),
  z
    .object({
      type: z.literal('send'),
      room: roomName,
      text: z.string(),
      cid: cid.optional(),
      replyTo: messageId.optional(),
      files
    })
    .refine(hasContent, NO_CONTENT),
  z
    .object({
      type: z.literal('dm'),
      to: z.string().min(1).max(64),
      text: z.string(),
      cid: cid.optional(),
      files
    })
    .refine(hasContent, NO_CONTENT),
  z.object({ type: z.literal('typing'), room: roomName }),
  z.object({
    type: z.literal('history'),
    room: roomName,
    before: messageId.optional(),
    limit: z.number().int().positive().optional()
  }),
  z.object({
    type: z.literal('members'),
    room: roomName,
    offset: z.number().int().nonnegative().optional(),
    limit: z.number().int().positive().optional()
  }),
  z.object({ type: z.literal('ping'), t: z.number() }),
  z.object({ type: z.literal('edit'), room: roomName, id: messageId, text: z.string().min(1) }),
  z.object({ type: z.literal('delete'), room: roomName, id: messageId }),
  z.object({ type: z.literal('react'), room: roomName, id: messageId, emoji, on: z.boolean() }),
  /** Words in the rooms the sender is in (or only `room`) and their DMs; see docs/protocol.md. */
  z.object({ type: z.literal('search'), q: z.string().min(1), room: roomName.optional() })
])
export type ClientMessage = z.infer<typeof clientMessageSchema>
export type ClientMessageType = ClientMessage['type']
export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = [
  'hello',
  'join',
  'leave',
  'rooms',
  'send',
  'dm',
  'typing',
  'history',
  'members',
  'ping',
  'edit',
  'delete',
  'react',
  'search'
]

// ---------------------------------------------------------------------------------------------
// Server → client

export const ERROR_CODES = [
  'bad_json',
  'unknown_type',
  'invalid_message',
  'not_in_room',
  'text_too_long',
  'no_such_user',
  'invalid_room',
  'forbidden',
  'no_such_message',
  'emoji_too_long',
  'too_many_reactions',
  'query_too_long',
  /** The server's message store lacks the feature (edit, delete, react, search on a Redis cluster). */
  'unsupported',
  'invalid_files',
  /** The message store (Redis, in a cluster) is unreachable: the send was not stored; retry it later. */
  'store_unavailable',
  /** Creating rooms faster than the server allows (per address and per session). */
  'rate_limited'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    user: userSchema,
    session: z.string(),
    /** True when this hello took over an existing session (same user id, same rooms). */
    resumed: z.boolean().optional(),
    server: z.object({
      name: z.string(),
      version: z.string(),
      limits: z.record(z.string(), z.number())
    }),
    rooms: z.array(roomSummarySchema),
    /**
     * Names the history the ids count in (a cluster on Redis sends it). A resume that presents
     * ids from another epoch replays from the start of the new log: the old one was reset.
     */
    historyEpoch: z.string().optional()
  }),
  z.object({
    type: z.literal('joined'),
    room: z.string(),
    /** The first `membersPageMax` members in the order they joined; page with `members`. */
    members: z.array(userSchema),
    /** How many members the room has (more than `members` lists in a large room). */
    memberCount: z.number().int().nonnegative().optional(),
    /** Fresh join: the last `joinHistory` messages. Resume: the messages after the client's last seen id. */
    history: z.array(chatMessageSchema),
    /** Set when older messages exist than the first one in `history` (page with `history`). */
    hasMore: z.boolean().optional(),
    /** The room's latest change number (edits, deletions, reactions); send it back in `hello.changes`. */
    rev: z.number().int().nonnegative().optional(),
    /** Resume with `hello.changes`: the current state of every message changed since, by change order. */
    changes: z.array(chatMessageSchema).optional()
  }),
  z.object({ type: z.literal('left'), room: z.string() }),
  /** One page of a room's member list, in the order they joined. */
  z.object({
    type: z.literal('members'),
    room: z.string(),
    offset: z.number().int().nonnegative(),
    members: z.array(userSchema),
    total: z.number().int().nonnegative()
  }),
  z.object({ type: z.literal('rooms'), rooms: z.array(roomSummarySchema) }),
  z.object({
    type: z.literal('presence'),
    room: z.string(),
    event: z.enum(['join', 'leave']),
    user: userSchema
  }),
  /** Several presence events of one room in one server turn, in order (docs/protocol.md). */
  z.object({
    type: z.literal('presence_batch'),
    room: z.string(),
    events: z.array(z.object({ event: z.enum(['join', 'leave']), user: userSchema }))
  }),
  chatMessageSchema.extend({ type: z.literal('message') }),
  directMessageSchema.extend({ type: z.literal('dm') }),
  z.object({ type: z.literal('typing'), room: z.string(), user: userSchema }),
  z.object({
    type: z.literal('history'),
    room: z.string(),
    messages: z.array(chatMessageSchema),
    hasMore: z.boolean().optional()
  }),
  z.object({ type: z.literal('pong'), t: z.number(), serverTime: z.number() }),
  z.object({
    type: z.literal('search'),
    q: z.string(),
    /** Room messages containing every word (the last as a prefix), newest first. */
    results: z.array(chatMessageSchema),
    /** Direct messages to or from the searcher that match, newest first. */
    dms: z.array(directMessageSchema).optional(),
    hasMore: z.boolean()
  }),
  z.object({
    type: z.literal('edited'),
    room: z.string(),
    id: messageId,
    text: z.string(),
    editedAt: z.number(),
    rev: z.number().int().nonnegative()
  }),
  z.object({
    type: z.literal('deleted'),
    room: z.string(),
    id: messageId,
    rev: z.number().int().nonnegative()
  }),
  z.object({
    type: z.literal('reactions'),
    room: z.string(),
    id: messageId,
    reactions: z.array(reactionSchema),
    rev: z.number().int().nonnegative()
  }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    /** The `cid` (or type) of the client message the error is about, when there is one. */
    ref: z.string().optional()
  })
])
export type ServerMessage = z.infer<typeof serverMessageSchema>
export type ServerMessageType = ServerMessage['type']
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>

// ---------------------------------------------------------------------------------------------
// Parsing

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string }

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}

/** Parses one text frame from a client. Never throws. */
export function parseClientMessage(data: string): ParseResult<ClientMessage> {
  let raw: unknown
  try {
    raw = JSON.parse(data)
  } catch {
    return { ok: false, code: 'bad_json', message: 'The frame is not valid JSON.' }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'invalid_message', message: 'A message must be a JSON object.' }
  }
  const type = (raw as { type?: unknown }).type
  if (typeof type !== 'string') {
    return { ok: false, code: 'invalid_message', message: 'A message needs a string "type".' }
  }
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, code: 'unknown_type', message: `Unknown message type "${type.slice(0, 40)}".` }
  }
  const parsed = clientMessageSchema.safeParse(raw)
  if (!parsed.success) {
    return { ok: false, code: 'invalid_message', message: `Invalid ${type}: ${describeIssues(parsed.error)}` }
  }
  return { ok: true, value: parsed.data }
}

/** Parses one text frame from the server. Never throws. */
export function parseServerMessage(data: string): ParseResult<ServerMessage> {
  let raw: unknown
  try {
    raw = JSON.parse(data)
  } catch {
    return { ok: false, code: 'bad_json', message: 'The frame is not valid JSON.' }
  }
  const parsed = serverMessageSchema.safeParse(raw)
  if (!parsed.success) {
    return { ok: false, code: 'invalid_message', message: describeIssues(parsed.error) }
  }
  return { ok: true, value: parsed.data }
}

export function isValidRoomName(name: string): boolean {
  return ROOM_NAME_PATTERN.test(name)
}
