/**
 * The session token per server and nickname, in sessionStorage (per tab, survives a reload):
 * a reload then takes its session back with the same user, rooms and DMs instead of signing in
 * from scratch. A duplicated tab copies it and takes the session over; the first tab is then
 * closed with 4403 and says so. Passwords are never stored, so only a session that needed none
 * is resumed without asking.
 */
const PREFIX = 'parley.session:'
const LAST = 'parley.session.last'

export interface RememberedSession {
  url: string
  nick: string
  token: string
  needsPassword: boolean
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

const key = (url: string, nick: string) => `${PREFIX}${url} ${nick.toLowerCase()}`

function read(raw: string | null | undefined): RememberedSession | undefined {
  if (!raw) return undefined
  try {
    const value = JSON.parse(raw) as Partial<RememberedSession>
    if (typeof value.url !== 'string' || typeof value.nick !== 'string' || typeof value.token !== 'string') {
      return undefined
    }
    return {
      url: value.url,
      nick: value.nick,
      token: value.token,
      needsPassword: value.needsPassword === true
    }
  } catch {
    return undefined
  }
}

export function loadSession(url: string, nick: string): RememberedSession | undefined {
  return read(storage()?.getItem(key(url, nick)))
}

/** The session this tab was last in, for resuming straight into the chat after a reload. */
export function loadLastSession(): RememberedSession | undefined {
  return read(storage()?.getItem(LAST))
}

export function saveSession(session: RememberedSession): void {
  const raw = JSON.stringify(session)
  storage()?.setItem(key(session.url, session.nick), raw)
  storage()?.setItem(LAST, raw)
}

export function forgetSession(url: string, nick: string): void {
  storage()?.removeItem(key(url, nick))
  storage()?.removeItem(LAST)
}
