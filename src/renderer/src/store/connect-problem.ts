import { displayServerAddress } from '../engine/server-address'
import type { StopInfo } from '../engine/engine-events'

/** A stop explained for a person: a short title, a sentence, and whether trying again can help. */
export interface ConnectProblem {
  code: number
  title: string
  detail: string
  canRetry: boolean
}

export function explainStop(info: StopInfo, url: string, nick: string): ConnectProblem {
  const { close } = info
  const reason = close.reason ? ` The server said: “${close.reason.replace(/[.!]$/, '')}”.` : ''
  switch (close.code) {
    case 4401:
      return {
        code: 4401,
        title: 'Wrong password',
        detail: `The server closed with 4401 Unauthorized: the password was wrong or missing.${reason}`,
        canRetry: false
      }
    case 4409:
      return {
        code: 4409,
        title: 'Nickname taken',
        // The reason says which: someone connected, a session that may still come back, a name
        // reserved for the server, or a look-alike of one of those.
        detail: `The server closed with 4409 Nickname In Use: “${nick}” (or a name that looks the same) is taken.${reason} Pick another nickname.`,
        canRetry: false
      }
    case 4403:
      return {
        code: 4403,
        title: 'Opened somewhere else',
        detail: `4403 Session Replaced: ${close.meaning} Reconnect here to take it back.`,
        canRetry: true
      }
    case 4410:
      return {
        code: 4410,
        title: 'You were removed from the chat',
        detail: `The server closed with 4410 Kicked: the owner or a moderator removed you.${reason} You can join again.`,
        canRetry: true
      }
    case 4411:
      return {
        code: 4411,
        title: 'You are banned from this server',
        detail: `The server closed with 4411 Banned: the owner or a moderator banned you, and this session and nickname are refused until they lift the ban.${reason}`,
        canRetry: false
      }
    case 1006:
      if (close.connectedMs === 0) {
        return {
          code: 1006,
          title: 'Server unreachable',
          detail: `Nothing accepted a WebSocket at ${displayServerAddress(url)} (1006, no close frame): the server is not running, the address or port is wrong, or it refused this page's origin.`,
          canRetry: true
        }
      }
      break
  }
  return {
    code: close.code,
    title: `${close.code} ${close.name}`,
    detail: `${close.meaning}${reason}`,
    canRetry: close.retry !== 'stop'
  }
}
