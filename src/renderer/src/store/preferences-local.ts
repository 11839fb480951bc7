/**
 * The browser backend: one JSON entry in localStorage, validated with the same schema as the
 * desktop settings file. Session tokens are bearer secrets and localStorage outlives the tab and
 * is readable by any script on the origin, so they are stripped on the way in and on the way out;
 * the web client keeps its token per tab in sessionStorage (session-memory.ts) instead.
 */
import { recentServerSchema, settingsSchema } from '../../../shared/ipc'
import { DEFAULT_PREFERENCES, withoutSession, type Preferences, type PreferencesBackend } from './preferences'

export const PREFERENCES_KEY = 'parley.preferences'
/** Where earlier versions kept recent servers (`{url, nick, lastUsed}[]`); read once, then superseded. */
export const LEGACY_RECENT_KEY = 'parley.recentServers'

const storedSchema = settingsSchema.pick({
  nickname: true,
  recentServers: true,
  theme: true,
  notifications: true
})

/** The part of the Web Storage API used here; tests pass an in-memory one (Node has none). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem'>

function getItem(storage: KeyValueStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null
  } catch {
    // Storage can be blocked (privacy settings, some embeds); preferences are a convenience.
    return null
  }
}

/** Someone who used the web client before keeps their recent servers. */
function legacyRecentServers(storage: KeyValueStorage | null): Preferences {
  const raw = getItem(storage, LEGACY_RECENT_KEY)
  if (!raw) return DEFAULT_PREFERENCES
  try {
    const list: unknown = JSON.parse(raw)
    if (!Array.isArray(list)) return DEFAULT_PREFERENCES
    const recentServers = list
      .map((item: { url?: unknown; nick?: unknown; lastUsed?: unknown }) => ({
        url: item?.url,
        nick: item?.nick,
        lastUsedAt: typeof item?.lastUsed === 'number' ? item.lastUsed : 0
      }))
      .filter((item) => recentServerSchema.safeParse(item).success)
    const parsed = storedSchema.safeParse({ recentServers })
    return parsed.success ? parsed.data : DEFAULT_PREFERENCES
  } catch {
    return DEFAULT_PREFERENCES
  }
}

function read(storage: KeyValueStorage | null): Preferences {
  const raw = getItem(storage, PREFERENCES_KEY)
  if (!raw) return legacyRecentServers(storage)
  try {
    const parsed = storedSchema.safeParse(JSON.parse(raw))
    // Something else wrote this key, or an older shape: start from defaults rather than fail.
    if (!parsed.success) return DEFAULT_PREFERENCES
    return { ...parsed.data, recentServers: parsed.data.recentServers.map(withoutSession) }
  } catch {
    return DEFAULT_PREFERENCES
  }
}

export function createLocalPreferences(storage: KeyValueStorage | null): PreferencesBackend {
  return {
    kind: 'browser',
    load: () => Promise.resolve(read(storage)),
    save(patch) {
      const next = { ...read(storage), ...patch }
      const stored = { ...next, recentServers: next.recentServers.map(withoutSession) }
      const valid = storedSchema.safeParse(stored)
      if (!valid.success) return Promise.reject(new Error(valid.error.issues[0]?.message ?? 'invalid'))
      try {
        storage?.setItem(PREFERENCES_KEY, JSON.stringify(valid.data))
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)))
      }
      return Promise.resolve(valid.data)
    }
  }
}
