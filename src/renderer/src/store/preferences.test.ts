import { beforeEach, describe, expect, it } from 'vitest'
import {
  IpcError,
  MAX_RECENT_SERVERS,
  settingsPatchSchema,
  settingsSchema,
  type ParleyApi,
  type Settings
} from '../../../shared/ipc'
import { createPreferencesStore, type PreferencesBackend } from './preferences'
import { createBridgePreferences } from './preferences-bridge'
import {
  createLocalPreferences,
  LEGACY_RECENT_KEY,
  PREFERENCES_KEY,
  type KeyValueStorage
} from './preferences-local'

/**
 * The settings domain of window.parley, faked because it needs Electron's IPC; it validates with
 * the contract's own schemas as main does, and its type is the contract's, so it cannot drift.
 */
function fakeSettingsBridge(initial: Partial<Settings> = {}) {
  const state = { file: settingsSchema.parse(initial), failNextSet: false, sets: [] as unknown[] }
  const api: Pick<ParleyApi, 'settings'> = {
    settings: {
      get: () => Promise.resolve({ settings: state.file }),
      set: (patch) => {
        state.sets.push(patch)
        if (state.failNextSet) {
          state.failNextSet = false
          return Promise.reject(new IpcError('settings_write_failed', 'Settings could not be saved: EACCES.'))
        }
        state.file = settingsSchema.parse({ ...state.file, ...settingsPatchSchema.parse(patch) })
        return Promise.resolve(state.file)
      }
    }
  }
  return { api, state }
}

/** localStorage's contract in memory: Node has no Web Storage. */
function memoryStorage(): KeyValueStorage & { data: Map<string, string>; failWrites: boolean } {
  const data = new Map<string, string>()
  return {
    data,
    failWrites: false,
    getItem: (key) => data.get(key) ?? null,
    setItem(key, value) {
      if (this.failWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      data.set(key, value)
    }
  }
}

const url = 'ws://192.168.1.20:8080/ws'

describe('preferences over the desktop bridge', () => {
  let bridge: ReturnType<typeof fakeSettingsBridge>
  let backend: PreferencesBackend
  beforeEach(() => {
    bridge = fakeSettingsBridge({ nickname: 'ada', theme: 'light', notifications: false })
    backend = createBridgePreferences(bridge.api)
  })

  it('loads the settings file and writes only what changed', async () => {
    const prefs = createPreferencesStore(backend)
    expect(prefs.getState()).toMatchObject({ backend: 'desktop', nickname: '', theme: 'system' })
    await prefs.getState().load()
    expect(prefs.getState()).toMatchObject({ nickname: 'ada', theme: 'light', notifications: false })

    await prefs.getState().set({ theme: 'dark' })
    expect(bridge.state.sets).toEqual([{ theme: 'dark' }])
    expect(bridge.state.file).toMatchObject({ theme: 'dark', nickname: 'ada' })
    expect(prefs.getState().theme).toBe('dark')
  })

  it('keeps the session token in the settings file, so the next app start resumes the same user', async () => {
    const first = createPreferencesStore(backend)
    await first.getState().load()
    await first.getState().rememberServer({ url, nick: 'Ada', token: 'tok-1', now: 5 })
    expect(bridge.state.file.recentServers).toEqual([
      { url, nick: 'Ada', lastUsedAt: 5, lastSession: { token: 'tok-1', resume: {} } }
    ])
    expect(bridge.state.file.nickname).toBe('Ada')

    // The app restarts: a new store over the same file.
    const reopened = createPreferencesStore(createBridgePreferences(bridge.api))
    await reopened.getState().load()
    expect(reopened.getState().sessionToken(url, 'ada')).toBe('tok-1')
    expect(reopened.getState().sessionToken(url, 'someone-else')).toBeUndefined()

    await reopened.getState().forgetSession(url, 'Ada')
    expect(bridge.state.file.recentServers).toEqual([{ url, nick: 'Ada', lastUsedAt: 5 }])
    expect(reopened.getState().sessionToken(url, 'Ada')).toBeUndefined()
  })

  it('says why a save failed and keeps the choice for this run', async () => {
    const prefs = createPreferencesStore(backend)
    await prefs.getState().load()
    bridge.state.failNextSet = true
    await prefs.getState().set({ theme: 'dark' })
    expect(prefs.getState().theme).toBe('dark')
    expect(prefs.getState().problem).toBe(
      'Your preferences could not be saved: Settings could not be saved: EACCES.'
    )
    await prefs.getState().set({ notifications: true })
    expect(prefs.getState().problem).toBeNull()
  })

  it('writes in order even when replies are slow', async () => {
    const order: string[] = []
    const slow: PreferencesBackend = {
      kind: 'desktop',
      load: backend.load,
      save: async (patch) => {
        const label = String(patch.theme)
        // The first write is the slow one: its reply must not land after the second's.
        await new Promise((resolve) => setTimeout(resolve, label === 'dark' ? 20 : 0))
        order.push(label)
        return backend.save(patch)
      }
    }
    const prefs = createPreferencesStore(slow)
    await Promise.all([prefs.getState().set({ theme: 'dark' }), prefs.getState().set({ theme: 'light' })])
    expect(order).toEqual(['dark', 'light'])
    expect(prefs.getState().theme).toBe('light')
    expect(bridge.state.file.theme).toBe('light')
  })
})

describe('preferences in the browser (localStorage)', () => {
  it('round-trips through storage and never stores a session token', async () => {
    const storage = memoryStorage()
    const prefs = createPreferencesStore(createLocalPreferences(storage))
    await prefs.getState().load()
    expect(prefs.getState()).toMatchObject({ backend: 'browser', theme: 'system', recentServers: [] })

    await prefs.getState().set({ theme: 'dark' })
    await prefs.getState().rememberServer({ url, nick: 'grace', token: 'secret-token', now: 7 })
    const raw = storage.data.get(PREFERENCES_KEY)!
    expect(raw).not.toContain('secret-token')
    expect(prefs.getState().sessionToken(url, 'grace')).toBeUndefined()

    const reloaded = createPreferencesStore(createLocalPreferences(storage))
    await reloaded.getState().load()
    expect(reloaded.getState()).toMatchObject({
      theme: 'dark',
      nickname: 'grace',
      recentServers: [{ url, nick: 'grace', lastUsedAt: 7 }]
    })
  })

  it('drops a token someone else wrote into storage', async () => {
    const storage = memoryStorage()
    storage.setItem(
      PREFERENCES_KEY,
      JSON.stringify({
        recentServers: [{ url, nick: 'x', lastUsedAt: 1, lastSession: { token: 't', resume: {} } }]
      })
    )
    const prefs = createPreferencesStore(createLocalPreferences(storage))
    await prefs.getState().load()
    expect(prefs.getState().recentServers).toEqual([{ url, nick: 'x', lastUsedAt: 1 }])
  })

  it('starts from defaults when the stored value is not JSON or not preferences', async () => {
    for (const raw of ['{"theme":', '{"theme":"purple"}', '[]']) {
      const storage = memoryStorage()
      storage.data.set(PREFERENCES_KEY, raw)
      const prefs = createPreferencesStore(createLocalPreferences(storage))
      await prefs.getState().load()
      expect(prefs.getState()).toMatchObject({
        theme: 'system',
        nickname: '',
        recentServers: [],
        problem: null
      })
    }
  })

  it('reports a full or blocked storage instead of throwing, and works without storage at all', async () => {
    const storage = memoryStorage()
    storage.failWrites = true
    const prefs = createPreferencesStore(createLocalPreferences(storage))
    await prefs.getState().set({ nickname: 'lin' })
    expect(prefs.getState().nickname).toBe('lin')
    expect(prefs.getState().problem).toBe('Your preferences could not be saved: The quota has been exceeded.')

    const none = createPreferencesStore(createLocalPreferences(null))
    await none.getState().load()
    await none.getState().set({ theme: 'light' })
    expect(none.getState()).toMatchObject({ theme: 'light', problem: null })
  })

  it('keeps recent servers newest first, one entry per address, at most MAX_RECENT_SERVERS', async () => {
    const prefs = createPreferencesStore(createLocalPreferences(memoryStorage()))
    for (let i = 0; i < MAX_RECENT_SERVERS + 3; i++) {
      await prefs.getState().rememberServer({ url: `ws://10.0.0.${i}:8080/ws`, nick: 'n', now: i })
    }
    await prefs.getState().rememberServer({ url: 'ws://10.0.0.5:8080/ws', nick: 'again', now: 100 })
    const recent = prefs.getState().recentServers
    expect(recent).toHaveLength(MAX_RECENT_SERVERS)
    expect(recent[0]).toEqual({ url: 'ws://10.0.0.5:8080/ws', nick: 'again', lastUsedAt: 100 })
    expect(recent.filter((s) => s.url === 'ws://10.0.0.5:8080/ws')).toHaveLength(1)

    await prefs.getState().forgetServer('ws://10.0.0.5:8080/ws')
    expect(prefs.getState().recentServers.some((s) => s.url === 'ws://10.0.0.5:8080/ws')).toBe(false)
  })

  it('takes over the recent servers an earlier version kept under its own key', async () => {
    const storage = memoryStorage()
    storage.setItem(
      LEGACY_RECENT_KEY,
      JSON.stringify([{ url, nick: 'old', lastUsed: 3 }, { url: 42 }, 'junk'])
    )
    const prefs = createPreferencesStore(createLocalPreferences(storage))
    await prefs.getState().load()
    expect(prefs.getState().recentServers).toEqual([{ url, nick: 'old', lastUsedAt: 3 }])
  })
})
