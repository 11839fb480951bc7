/**
 * The session token per server and nickname, in sessionStorage (per tab, survives a reload):
 * a reload then takes its session back with the same user, rooms and DMs instead of leaving
 * and rejoining everywhere. A duplicated tab copies it and takes the session over; the first
 * tab is then closed with 4403 and says so.
 */
const PREFIX = 'parley.session:'

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

const key = (url: string, nick: string) => `${PREFIX}${url} ${nick.toLowerCase()}`

export function loadSessionToken(url: string, nick: string): string | undefined {
  return storage()?.getItem(key(url, nick)) ?? undefined
}

export function saveSessionToken(url: string, nick: string, token: string): void {
  storage()?.setItem(key(url, nick), token)
}

export function forgetSessionToken(url: string, nick: string): void {
  storage()?.removeItem(key(url, nick))
}
