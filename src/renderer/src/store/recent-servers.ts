/**
 * Servers this person connected to, newest first, kept in localStorage. The desktop shell may
 * later back this with its settings file; the shape stays the same.
 */
export interface RecentServer {
  url: string
  nick: string
  lastUsed: number
}

const KEY = 'parley.recentServers'
const MAX = 8

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    // Some embedded contexts throw on access to localStorage; recents are a convenience.
    return null
  }
}

export function loadRecentServers(): RecentServer[] {
  const raw = storage()?.getItem(KEY)
  if (!raw) return []
  try {
    const parsed: unknown = JSON.parse(raw)
    if (!Array.isArray(parsed)) return []
    return parsed.filter(
      (item): item is RecentServer =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as RecentServer).url === 'string' &&
        typeof (item as RecentServer).nick === 'string'
    )
  } catch {
    return []
  }
}

export function rememberServer(url: string, nick: string, now = Date.now()): RecentServer[] {
  const next = [{ url, nick, lastUsed: now }, ...loadRecentServers().filter((s) => s.url !== url)].slice(
    0,
    MAX
  )
  storage()?.setItem(KEY, JSON.stringify(next))
  return next
}

export function forgetServer(url: string): RecentServer[] {
  const next = loadRecentServers().filter((s) => s.url !== url)
  storage()?.setItem(KEY, JSON.stringify(next))
  return next
}
