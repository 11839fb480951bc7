import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  CLIENT_MESSAGE_TYPES,
  ERROR_CODES,
  clientMessageSchema,
  parseClientMessage,
  parseServerMessage
} from '../../../shared/protocol'
import {
  anyNumber,
  anyTextFrame,
  awkwardString,
  mutatedClientMessage,
  validClientMessage
} from '../../../../test-support/server/protocol-arbitraries'

// Each property runs a few hundred cases: enough to hit the edges every CI run, cheap on 2 cores.
const runs = { numRuns: 400 }

function expectWellFormed(frame: string): void {
  const result = parseClientMessage(frame)
  if (result.ok) {
    expect(CLIENT_MESSAGE_TYPES).toContain(result.value.type)
    // What the validator lets through is exactly what the schema describes.
    expect(clientMessageSchema.safeParse(result.value).success).toBe(true)
  } else {
    expect(ERROR_CODES).toContain(result.code)
    expect(result.message.length).toBeGreaterThan(0)
    expect(result.message.length).toBeLessThan(400)
  }
}

describe('parseClientMessage under fuzzing', () => {
  it('never throws and always answers a known type or a known error code, for any text frame', () => {
    fc.assert(
      fc.property(anyTextFrame, (frame) => expectWellFormed(frame)),
      runs
    )
  })

  it('accepts every valid message and keeps its fields', () => {
    fc.assert(
      fc.property(validClientMessage, (message) => {
        const result = parseClientMessage(JSON.stringify(message))
        expect(result).toMatchObject({ ok: true })
        if (!result.ok) return
        expect(result.value.type).toBe(message.type)
        // Round trip: serializing what was parsed parses to the same thing.
        expect(parseClientMessage(JSON.stringify(result.value))).toEqual(result)
      }),
      runs
    )
  })

  it('strips unknown fields instead of refusing the message', () => {
    fc.assert(
      fc.property(
        validClientMessage,
        fc.string({ minLength: 1, maxLength: 10 }),
        fc.jsonValue({ maxDepth: 2 }),
        (message, key, value) => {
          fc.pre(!(key in message) && key !== '__proto__')
          const result = parseClientMessage(JSON.stringify({ ...message, [key]: value }))
          expect(result.ok).toBe(true)
          if (result.ok) expect(Object.keys(result.value)).not.toContain(key)
        }
      ),
      runs
    )
  })

  it('answers a mutated message with a value or invalid_message, never another code', () => {
    fc.assert(
      fc.property(mutatedClientMessage, (message) => {
        const result = parseClientMessage(JSON.stringify(message))
        expectWellFormed(JSON.stringify(message))
        if (
          !result.ok &&
          typeof message.type === 'string' &&
          CLIENT_MESSAGE_TYPES.includes(message.type as never)
        ) {
          expect(result.code).toBe('invalid_message')
        }
      }),
      runs
    )
  })

  it('names the right error for each kind of garbage', () => {
    fc.assert(
      fc.property(awkwardString, (s) => {
        fc.pre(!isJson(s))
        expect(parseClientMessage(s)).toMatchObject({ ok: false, code: 'bad_json' })
      }),
      runs
    )
    fc.assert(
      fc.property(
        fc.oneof(
          anyNumber,
          fc.boolean(),
          fc.constant(null),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
          awkwardString
        ),
        (value) => {
          expect(parseClientMessage(JSON.stringify(value))).toMatchObject({
            ok: false,
            code: 'invalid_message'
          })
        }
      ),
      runs
    )
    fc.assert(
      fc.property(
        fc.oneof(anyNumber, fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 })),
        (type) => {
          expect(parseClientMessage(JSON.stringify({ type }))).toMatchObject({
            ok: false,
            code: 'invalid_message'
          })
        }
      ),
      runs
    )
    fc.assert(
      fc.property(awkwardString, (type) => {
        fc.pre(!CLIENT_MESSAGE_TYPES.includes(type as never))
        expect(parseClientMessage(JSON.stringify({ type }))).toMatchObject({
          ok: false,
          code: 'unknown_type'
        })
      }),
      runs
    )
  })

  it('keeps numbers at the edges out of ids and limits', () => {
    fc.assert(
      fc.property(anyNumber, (n) => {
        const result = parseClientMessage(
          JSON.stringify({ type: 'history', room: 'general', before: n, limit: n })
        )
        const acceptable = Number.isSafeInteger(n) && n >= 1
        expect(result.ok).toBe(acceptable)
      }),
      runs
    )
  })

  it('survives deep nesting and huge frames without throwing', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000)
    expect(parseClientMessage(deep).ok).toBe(false)
    const huge = JSON.stringify({ type: 'send', room: 'general', text: 'x'.repeat(1 << 20) })
    expect(parseClientMessage(huge).ok).toBe(true) // length is the server's business (text_too_long)
    expect(parseServerMessage(deep).ok).toBe(false)
  })
})

function isJson(s: string): boolean {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}
