/**
 * A client connection as the hub sees it: the transport stays outside the hub (http-transport.ts
 * for the handshake, heartbeat.ts); socket-admission.ts creates these.
 */
import type { WebSocket } from 'ws'
import type { ConnectionInfo } from '../server-types'
import type { Session } from '../session-registry'
import type { TokenBucket } from '../token-bucket'

export interface Connection {
  readonly ws: WebSocket
  readonly info: ConnectionInfo
  readonly bucket: TokenBucket
  session: Session<Connection> | undefined
  /** Set once the server decided to close it: nothing more is read from or sent to it. */
  closing: boolean
  /** The close the server sent, kept because the peer's echo may never come (the record keeps the real cause). */
  sentClose: { code: number; reason: string } | undefined
  helloTimer: NodeJS.Timeout | undefined
  bufferedAmount(): number
}
