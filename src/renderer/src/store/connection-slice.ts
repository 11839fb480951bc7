import { ConnectionEngine, type EngineOptions } from '../engine/connection-engine'
import type { EngineEvent } from '../engine/engine-events'
import { applyEngineEvents } from './apply-engine-events'
import { browserNetwork } from './browser-network'
import { createEventBatcher, frameScheduler, type Scheduler } from './event-batcher'
import { appPreferences } from './app-preferences'
import type { PreferencesStore } from './preferences'
import { forgetSession, loadSession, saveSession } from './session-memory'
import { initialInspectorState } from './inspector-slice'
import { initialMembersState } from './members-slice'
import { initialMessagesState } from './messages-slice'
import { createRoomListRefresh } from './room-list-refresh'
import { initialRoomsState } from './rooms-slice'
import type { ConnectionSlice, SliceCreator, SliceState, StoreState } from './store-types'

export interface StoreDeps {
  createEngine(options: EngineOptions): ConnectionEngine
  schedule: Scheduler
  now(): number
  /** Where recent servers, the nickname and (on the desktop) session tokens are kept. */
  preferences: PreferencesStore
}

export const browserDeps: StoreDeps = {
  createEngine: (options) => new ConnectionEngine({ ...options, network: browserNetwork() }),
  schedule: frameScheduler,
  now: () => Date.now(),
  preferences: appPreferences
}

/** The connection's own state; url and nick stay after a disconnect, to prefill the next one. */
const initialConnectionState = (): Omit<SliceState<ConnectionSlice>, 'url' | 'nick'> => ({
  engine: null,
  status: 'idle',
  nextAttemptAt: null,
  me: null,
  admitted: false,
  problem: null,
  server: null
})

/**
 * Everything a connection leaves behind in the store, cleared when a new one starts: each
 * slice's initial state, so a field added to a slice is reset without being listed here too.
 */
export const connectionScopedState = (): Partial<StoreState> => ({
  ...initialConnectionState(),
  ...initialRoomsState(),
  ...initialMessagesState(),
  ...initialMembersState(),
  ...initialInspectorState()
})

export function createConnectionSlice(deps: StoreDeps): SliceCreator<ConnectionSlice> {
  let teardown: (() => void) | null = null

  return (set, get) => ({
    ...initialConnectionState(),
    url: null,
    nick: null,

    connect({ url, nick, password }) {
      teardown?.()
      // This tab's own session first (a reload), then the one the desktop app kept from last time.
      const session = loadSession(url, nick)?.token ?? deps.preferences.getState().sessionToken(url, nick)
      const engine = deps.createEngine({
        url,
        nick,
        ...(password ? { password } : {}),
        ...(session ? { session } : {})
      })
      const refreshRoomsIfUnknown = createRoomListRefresh(deps.now)
      const batcher = createEventBatcher<EngineEvent>((batch) => {
        set((state) => applyEngineEvents(state, batch, deps.now()))
        refreshRoomsIfUnknown(get(), batch)
      }, deps.schedule)
      const unsubscribe = engine.subscribe((event) => {
        if (event.type === 'welcome') {
          void deps.preferences
            .getState()
            .rememberServer({ url, nick, token: event.session, now: deps.now() })
          saveSession({ url, nick, token: event.session, needsPassword: Boolean(password) })
        }
        batcher.push(event)
      })
      teardown = () => {
        unsubscribe()
        batcher.dispose()
        engine.dispose()
        teardown = null
      }
      set({ ...connectionScopedState(), engine, url, nick })
      engine.connect()
    },

    disconnect() {
      const { engine, url, nick } = get()
      if (!engine) return
      engine.disconnect()
      // Signing out ends the session here; the next sign-in starts a new one.
      if (url && nick) {
        forgetSession(url, nick)
        void deps.preferences.getState().forgetSession(url, nick)
      }
      teardown?.()
      set({ ...connectionScopedState() })
    },

    reconnectNow() {
      const { engine } = get()
      if (!engine) return
      set({ problem: null })
      engine.connect()
    }
  })
}
