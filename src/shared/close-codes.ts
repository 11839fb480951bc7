/**
 * Every WebSocket close code Parley sends or a client may meet, with its name, what it means
 * for a person, and whether reconnecting can help. RFC 6455 §7.4.1 and the IANA registry
 * define 1000–1015; 4000–4999 are private-use codes, and Parley's are all here.
 * The server closes with these constants; the client's reconnect policy and the inspector
 * read the same table, so a code cannot mean one thing on one side and another on the other.
 */

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
  NotHello: 4400,
  Unauthorized: 4401,
  SessionReplaced: 4403,
  HelloTimeout: 4408,
  NickInUse: 4409,
  Kicked: 4410,
  Banned: 4411,
  RateLimited: 4429
} as const
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode]

/** What a client should do after this close. */
export type RetryAdvice =
  /** Reconnect with backoff. */
  | 'retry'
  /** Reconnect, but wait longer than usual (the server asked for patience). */
  | 'retry-later'
  /** Reconnecting would fail the same way: ask the person. */
  | 'ask'
  /** The close was intended: stay closed. */
  | 'stop'

export interface CloseCodeInfo {
  code: number
  name: string
  meaning: string
  retry: RetryAdvice
  /** Who sends it: the wire (either peer), only the browser/runtime locally, or the Parley server. */
  source: 'rfc6455' | 'local' | 'parley'
}

const table: CloseCodeInfo[] = [
  {
    code: 1000,
    name: 'Normal Closure',
    meaning: 'The connection finished its purpose and was closed on purpose.',
    retry: 'stop',
    source: 'rfc6455'
  },
  {
    code: 1001,
    name: 'Going Away',
    meaning: 'The server is shutting down (or the page navigated away). Parley sends it on a graceful stop.',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1002,
    name: 'Protocol Error',
    meaning: 'A peer broke the WebSocket framing rules.',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1003,
    name: 'Unsupported Data',
    meaning:
      'The peer received a kind of frame it does not accept. Parley v1 is text-only: a binary frame gets this.',
    retry: 'ask',
    source: 'rfc6455'
  },
  {
    code: 1005,
    name: 'No Status Received',
    meaning: 'The close frame carried no code. Never sent on the wire; the browser reports it.',
    retry: 'retry',
    source: 'local'
  },
  {
    code: 1006,
    name: 'Abnormal Closure',
    meaning:
      'The connection dropped without a close frame: the server died, the network failed, or the handshake was refused (wrong origin, server full, nothing listening). Never sent on the wire.',
    retry: 'retry',
    source: 'local'
  },
  {
    code: 1007,
    name: 'Invalid Frame Payload Data',
    meaning: 'A text frame was not valid UTF-8.',
    retry: 'ask',
    source: 'rfc6455'
  },
  {
    code: 1008,
    name: 'Policy Violation',
    meaning: 'The message broke a rule of the server that no other code describes.',
    retry: 'ask',
    source: 'rfc6455'
  },
  {
    code: 1009,
    name: 'Message Too Big',
    meaning: 'A frame was larger than the server accepts (Parley: 64 KiB by default).',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1010,
    name: 'Mandatory Extension',
    meaning: 'The client needed an extension the server did not offer.',
    retry: 'ask',
    source: 'rfc6455'
  },
  {
    code: 1011,
    name: 'Internal Error',
    meaning: 'The server met an unexpected condition.',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1012,
    name: 'Service Restart',
    meaning: 'The server is restarting; reconnect shortly.',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1013,
    name: 'Try Again Later',
    meaning: 'The server is overloaded, or this client read too slowly and its unsent buffer passed 1 MiB.',
    retry: 'retry-later',
    source: 'rfc6455'
  },
  {
    code: 1014,
    name: 'Bad Gateway',
    meaning: 'A proxy in between got a bad answer from the server.',
    retry: 'retry',
    source: 'rfc6455'
  },
  {
    code: 1015,
    name: 'TLS Handshake',
    meaning: 'The TLS handshake failed (certificate not trusted?). Never sent on the wire.',
    retry: 'ask',
    source: 'local'
  },
  {
    code: 4400,
    name: 'Hello Expected',
    meaning: 'The first message was not a valid hello.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4401,
    name: 'Unauthorized',
    meaning: 'The password was wrong or missing.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4403,
    name: 'Session Replaced',
    meaning:
      'This session was resumed from another connection (another tab or device), so this one was closed.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4408,
    name: 'Hello Timeout',
    meaning: 'No hello arrived within 10 seconds of connecting.',
    retry: 'retry',
    source: 'parley'
  },
  {
    code: 4409,
    name: 'Nickname In Use',
    meaning:
      'This nickname, or one that looks the same, is taken: by someone connected, by a session that may still resume, or as a name reserved for the server.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4410,
    name: 'Kicked',
    meaning:
      'The server owner or a moderator removed this person from the chat; the reason follows. Joining again is allowed.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4411,
    name: 'Banned',
    meaning:
      'The server owner or a moderator banned this person; the reason follows. Every hello with this session or nickname is refused until the ban is lifted.',
    retry: 'ask',
    source: 'parley'
  },
  {
    code: 4429,
    name: 'Rate Limited',
    meaning:
      'Too many messages too fast (a burst of 30, then 10 per second), or too many wrong passwords from this address (locked out for a few minutes).',
    retry: 'retry-later',
    source: 'parley'
  }
]

const byCode = new Map(table.map((info) => [info.code, info]))

/** The table, ordered by code. */
export const CLOSE_CODES: readonly CloseCodeInfo[] = table

/**
 * Every code the Parley server can put in a close frame: its own, and those its WebSocket
 * library (ws) sends for broken framing (1002), fragment floods (1008), oversized frames (1009)
 * and invalid UTF-8 (1007). docs/protocol.md's table lists exactly these (a test holds them
 * together); a fuzzed server closing with anything else is a defect.
 */
export const SERVER_CLOSE_CODES: readonly CloseCodeValue[] = [
  CloseCode.Normal,
  CloseCode.GoingAway,
  CloseCode.ProtocolError,
  CloseCode.UnsupportedData,
  CloseCode.InvalidPayload,
  CloseCode.PolicyViolation,
  CloseCode.MessageTooBig,
  CloseCode.InternalError,
  CloseCode.TryAgainLater,
  CloseCode.NotHello,
  CloseCode.Unauthorized,
  CloseCode.SessionReplaced,
  CloseCode.HelloTimeout,
  CloseCode.NickInUse,
  CloseCode.Kicked,
  CloseCode.Banned,
  CloseCode.RateLimited
]

/** Describes any close code, including ones Parley never sends. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const known = byCode.get(code)
  if (known) return known
  if (code >= 3000 && code <= 3999) {
    return {
      code,
      name: 'Registered (3000–3999)',
      meaning: 'Reserved for libraries and frameworks, registered with IANA.',
      retry: 'retry',
      source: 'rfc6455'
    }
  }
  if (code >= 4000 && code <= 4999) {
    return {
      code,
      name: 'Private use (4000–4999)',
      meaning: 'An application-defined code this client does not know.',
      retry: 'retry',
      source: 'rfc6455'
    }
  }
  return { code, name: 'Unknown', meaning: 'Not a code RFC 6455 defines.', retry: 'retry', source: 'rfc6455' }
}

/**
 * The browser's rules for `WebSocket.close(code, reason)`: code 1000 or 3000–4999, reason at most
 * 123 bytes of UTF-8. Returns a sentence saying what is wrong, or null when the call is allowed.
 */
export function checkClientCloseArgs(code: number, reason: string): string | null {
  if (!Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))) {
    return `Browsers only let a page close with 1000 or a code from 3000 to 4999; ${code} would throw InvalidAccessError.`
  }
  const bytes = new TextEncoder().encode(reason).length
  if (bytes > 123) {
    return `The reason is ${bytes} bytes of UTF-8; a close frame has room for 123 (125 minus the 2-byte code), so the browser would throw SyntaxError.`
  }
  return null
}
