/**
 * fast-check generators for protocol v1 client messages: valid ones (every type, fields at their
 * edges), near-misses (one field of the wrong kind) and plain garbage. Shared by the validator
 * fuzz and the live-server fuzz so both explore the same space.
 */
import fc from 'fast-check'
import { DEFAULT_LIMITS, type ClientMessage } from '../../src/shared/protocol'

/** Numbers where validators and JSON tend to break. */
export const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  1,
  0.5,
  2 ** 31,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_VALUE
)

export const anyNumber = fc.oneof(
  edgeNumber,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true })
)

/** Strings that are awkward for JSON, UTF-16, regexes and logs. */
export const awkwardString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e',
    'general',
    '__proto__',
    'constructor',
    '@dm',
    '\n\r',
    'a'.repeat(4001)
  )
)

export const roomName = fc.stringMatching(/^[a-z0-9_-]{1,32}$/)
const cid = fc.string({ minLength: 1, maxLength: 64 })
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 200 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 })
)
export const nick = fc
  .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: DEFAULT_LIMITS.maxNickLength })
  .filter((s) => s.trim().length > 0 && !/[\p{Cc}\p{Cf}]/u.test(s))
const messageId = fc.nat({ max: Number.MAX_SAFE_INTEGER })

/** Every valid client message type except hello, which a connection may send only once. */
export const validAfterHello: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({ type: fc.constant('join' as const), room: roomName }),
  fc.record({ type: fc.constant('leave' as const), room: roomName }),
  fc.record({ type: fc.constant('rooms' as const) }),
  fc.record({
    type: fc.constant('send' as const),
    room: roomName,
    text,
    cid: fc.option(cid, { nil: undefined }),
    replyTo: fc.option(messageId, { nil: undefined })
  }),
  fc.record({
    type: fc.constant('dm' as const),
    to: fc.string({ minLength: 1, maxLength: 64 }),
    text,
    cid: fc.option(cid, { nil: undefined })
  }),
  fc.record({ type: fc.constant('typing' as const), room: roomName }),
  fc.record(
    {
      type: fc.constant('history' as const),
      room: roomName,
      before: messageId,
      limit: fc.integer({ min: 1, max: 10_000 })
    },
    { requiredKeys: ['type', 'room'] }
  ),
  fc.record(
    {
      type: fc.constant('members' as const),
      room: roomName,
      offset: fc.nat({ max: 100_000 }),
      limit: fc.integer({ min: 1, max: 10_000 })
    },
    { requiredKeys: ['type', 'room'] }
  ),
  fc.record({ type: fc.constant('ping' as const), t: anyNumber }),
  fc.record({ type: fc.constant('edit' as const), room: roomName, id: messageId, text }),
  fc.record({ type: fc.constant('delete' as const), room: roomName, id: messageId }),
  fc.record({
    type: fc.constant('react' as const),
    room: roomName,
    id: messageId,
    emoji: fc.oneof(
      fc.constantFrom('👍', '🎉', ':tada:', '❤️'),
      fc.stringMatching(/^\S{1,40}$/).filter((s) => !/\p{Cc}/u.test(s))
    ),
    on: fc.boolean()
  }),
  fc.record(
    { type: fc.constant('search' as const), q: fc.string({ minLength: 1, maxLength: 300 }), room: roomName },
    { requiredKeys: ['type', 'q'] }
  )
)

export const validHello: fc.Arbitrary<ClientMessage> = fc.record(
  {
    type: fc.constant('hello' as const),
    nick,
    password: fc.string({ maxLength: 40 }),
    session: fc.string({ maxLength: 40 }),
    resume: fc.dictionary(fc.oneof(roomName, fc.constant('@dm')), messageId, { maxKeys: 3 }),
    changes: fc.dictionary(roomName, messageId, { maxKeys: 3 })
  },
  { requiredKeys: ['type', 'nick'] }
)

export const validClientMessage = fc.oneof(validHello, validAfterHello)

/** A valid message with one field replaced by a value of another kind, or with extra fields. */
export const mutatedClientMessage = fc
  .tuple(
    validClientMessage,
    fc.string({ maxLength: 12 }),
    fc.oneof(anyNumber, awkwardString, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }))
  )
  .map(([message, key, value]) => {
    const keys = Object.keys(message)
    const target = keys.length > 1 && key.length % 2 === 0 ? keys[1 + (key.length % (keys.length - 1))]! : key
    return { ...message, [target]: value } as Record<string, unknown>
  })

/** A text frame's payload: anything from garbage to valid messages. */
export const anyTextFrame = fc.oneof(
  awkwardString,
  fc.json({ maxDepth: 3 }),
  validClientMessage.map((m) => JSON.stringify(m)),
  mutatedClientMessage.map((m) => JSON.stringify(m)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ type: 'send', room: 'general', text: v }))
)
