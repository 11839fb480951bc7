/**
 * The person's preferences — nickname, recent servers, theme, notifications — behind one
 * interface with two backends, chosen once at startup: the desktop settings file through the
 * bridge (window.parley.settings), or localStorage in the browser. Components and the chat store
 * read and write only this store; which backend sits underneath is not their concern.
 */
import { createStore, type StoreApi } from 'zustand/vanilla'
import { MAX_RECENT_SERVERS, type RecentServer, type Settings } from '../../../shared/ipc'

export type { RecentServer }
export type Theme = Settings['theme']
export const THEMES: readonly Theme[] = ['system', 'light', 'dark']

export type Preferences = Pick<Settings, 'nickname' | 'recentServers' | 'theme' | 'notifications'>
export type PreferencesPatch = Partial<Preferences>

export const DEFAULT_PREFERENCES: Preferences = {
  nickname: '',
  recentServers: [],
  theme: 'system',
  notifications: true
}

export interface PreferencesBackend {
  /** `desktop`: the settings file in the user data dir; `browser`: this origin's localStorage. */
  readonly kind: 'desktop' | 'browser'
  load(): Promise<Preferences>
  /** Writes the changed fields; resolves with everything as now stored. */
  save(patch: PreferencesPatch): Promise<Preferences>
}

export interface RememberServer {
  url: string
  nick: string
  /** The session token from the server's welcome; kept only by a backend that may hold secrets. */
  token?: string
  now?: number
}

export interface PreferencesState extends Preferences {
  readonly backend: PreferencesBackend['kind']
  /** The last load or save failure, as a sentence; null when everything was stored. */
  problem: string | null
  load(): Promise<void>
  set(patch: PreferencesPatch): Promise<void>
  rememberServer(server: RememberServer): Promise<void>
  forgetServer(url: string): Promise<void>
  /** Signing out ends the session: the token is dropped, the server stays in the list. */
  forgetSession(url: string, nick: string): Promise<void>
  /** The token to take the last session on this server back with, when one was kept. */
  sessionToken(url: string, nick: string): string | undefined
}

export type PreferencesStore = StoreApi<PreferencesState>

const sameNick = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

export function createPreferencesStore(backend: PreferencesBackend): PreferencesStore {
  // Saves go out one after another, so a slow reply can never overwrite a later change.
  let queue: Promise<unknown> = Promise.resolve()

  return createStore<PreferencesState>()((set, get) => {
    const save = (patch: PreferencesPatch): Promise<void> => {
      // Applied at once, so the UI follows the click; the backend's answer then confirms it.
      set(patch)
      const write = queue.then(() => backend.save(patch))
      queue = write.catch(() => undefined)
      return write.then(
        (stored) => set({ ...stored, problem: null }),
        (error: unknown) =>
          set({ problem: `Your preferences could not be saved: ${(error as Error).message}` })
      )
    }

    return {
      ...DEFAULT_PREFERENCES,
      backend: backend.kind,
      problem: null,

      async load() {
        try {
          set({ ...(await backend.load()), problem: null })
        } catch (error) {
          // The app works with defaults; the person is told why their choices are missing.
          set({ problem: `Your preferences could not be loaded: ${(error as Error).message}` })
        }
      },

      set: save,

      rememberServer({ url, nick, token, now = Date.now() }) {
        const entry: RecentServer = {
          url,
          nick,
          lastUsedAt: now,
          ...(token ? { lastSession: { token, resume: {} } } : {})
        }
        const others = get().recentServers.filter((server) => server.url !== url)
        return save({
          nickname: nick,
          recentServers: [entry, ...others].slice(0, MAX_RECENT_SERVERS)
        })
      },

      forgetServer(url) {
        return save({ recentServers: get().recentServers.filter((server) => server.url !== url) })
      },

      forgetSession(url, nick) {
        const { recentServers } = get()
        if (!recentServers.some((s) => s.url === url && sameNick(s.nick, nick) && s.lastSession)) {
          return Promise.resolve()
        }
        return save({
          recentServers: recentServers.map((server) =>
            server.url === url && sameNick(server.nick, nick) ? withoutSession(server) : server
          )
        })
      },

      sessionToken(url, nick) {
        const server = get().recentServers.find((s) => s.url === url && sameNick(s.nick, nick))
        return server?.lastSession?.token
      }
    }
  })
}

export function withoutSession(server: RecentServer): RecentServer {
  return { url: server.url, nick: server.nick, lastUsedAt: server.lastUsedAt }
}
