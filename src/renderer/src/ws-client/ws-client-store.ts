/**
 * The WebSocket client's own store, apart from the chat's: several named connections to any
 * servers, each with its WsSession (ws-session-registry.ts, outside the state: sockets are not
 * data) mirrored into its view (ws-session-mirror.ts), saved messages, and the import/export/
 * replay of a session (ws-capture-actions.ts). Connections and saved messages persist
 * (ws-client-storage.ts); frames stay in each session's ring buffer.
 */
import { create } from 'zustand'
import type { ParleyApi } from '../../../shared/ipc'
import { systemClock, type Clock } from '../engine/clock'
import type { KeyValueStorage } from '../store/preferences-local'
import { captureActions, type CaptureActions } from './ws-capture-actions'
import { browserStorage, loadWsClient, saveWsClient, type Template } from './ws-client-storage'
import {
  connectionView,
  newSavedConnection,
  savedConnection,
  type ConnectionSettings,
  type WsConnectionView
} from './ws-connection-view'
import { createReplays } from './ws-replay'
import { createSessionRegistry } from './ws-session-registry'
import {
  parseProtocols,
  type BinaryWebSocketFactory,
  type OutgoingPayload,
  type WsSession
} from './ws-session'
import { transportFor } from './ws-transport'

export type { WsConnectionView } from './ws-connection-view'

export interface WsClientState extends CaptureActions {
  visible: boolean
  connections: WsConnectionView[]
  activeId: string
  templates: Template[]
  setVisible(visible: boolean): void
  addConnection(settings?: Partial<ConnectionSettings>): string
  removeConnection(id: string): void
  select(id: string): void
  configure(id: string, settings: Partial<ConnectionSettings>): void
  /** Opens (or reopens) the connection. Returns a sentence when it cannot. */
  open(id: string): string | null
  send(id: string, payload: OutgoingPayload): string | null
  close(id: string, code?: number, reason?: string): string | null
  clearFrames(id: string): void
  saveTemplate(template: Template): void
  deleteTemplate(name: string): void
  session(id: string): WsSession
}

export interface WsClientDeps {
  storage: KeyValueStorage | null
  WebSocket?: BinaryWebSocketFactory
  /** The desktop bridge: with it, a connection with request headers goes through main's relay. */
  bridge?: ParleyApi | null
  clock?: Clock
  /** Whether the client starts shown (the page's #ws-client address). */
  initiallyVisible?: boolean
  onVisibleChange?(visible: boolean): void
}

export function createWsClientStore(deps: WsClientDeps) {
  const clock = deps.clock ?? systemClock
  const stored = loadWsClient(deps.storage)
  const pageWebSocket = deps.WebSocket ?? (globalThis.WebSocket as unknown as BinaryWebSocketFactory)

  return create<WsClientState>()((set, get) => {
    function persist(): void {
      const { connections, templates } = get()
      saveWsClient(deps.storage, { connections: connections.map(savedConnection), templates })
    }

    function patch(id: string, change: (c: WsConnectionView) => Partial<WsConnectionView>): void {
      set((s) => ({ connections: s.connections.map((c) => (c.id === id ? { ...c, ...change(c) } : c)) }))
    }

    const configOf = (id: string) => get().connections.find((c) => c.id === id)
    const sessions = createSessionRegistry({ clock, WebSocket: deps.WebSocket, configOf, patch })
    const replays = createReplays(clock, (id, left) => patch(id, () => ({ replayLeft: left })))

    function addConnection(settings: Partial<ConnectionSettings> = {}): string {
      const saved = newSavedConnection(settings, get().connections.length + 1)
      set((s) => ({ connections: [...s.connections, connectionView(saved)], activeId: saved.id }))
      persist()
      return saved.id
    }

    const initial = (stored.connections.length > 0 ? stored.connections : [newSavedConnection({}, 1)]).map(
      connectionView
    )
    return {
      visible: deps.initiallyVisible ?? false,
      connections: initial,
      activeId: initial[0]?.id ?? '',
      templates: stored.templates,

      setVisible(visible) {
        set({ visible })
        deps.onVisibleChange?.(visible)
      },
      addConnection,
      removeConnection(id) {
        replays.forget(id)
        sessions.remove(id)
        set((s) => {
          const connections = s.connections.filter((c) => c.id !== id)
          const activeId = s.activeId === id ? (connections[0]?.id ?? '') : s.activeId
          return { connections, activeId }
        })
        if (get().connections.length === 0) addConnection()
        persist()
      },
      select(id) {
        set({ activeId: id })
      },
      configure(id, settings) {
        patch(id, () => settings)
        if (settings.autoReconnect !== undefined) sessions.get(id)?.setAutoReconnect(settings.autoReconnect)
        persist()
      },
      open(id) {
        const config = configOf(id)
        if (!config) return 'There is no such connection.'
        const session = sessions.ensure(id)
        const transport = transportFor(config.headers, pageWebSocket, deps.bridge)
        if (typeof transport === 'string') return transport
        session.transport = transport
        session.url = config.url.trim()
        session.protocols = parseProtocols(config.protocols)
        session.autoReconnect = config.autoReconnect
        return session.open()
      },
      send(id, payload) {
        const session = sessions.get(id)
        return session ? session.send(payload) : 'Not sent: open the connection first.'
      },
      close(id, code, reason) {
        replays.stop(id)
        const session = sessions.get(id)
        return session ? session.close(code, reason) : 'There is no connection to close.'
      },
      clearFrames(id) {
        sessions.get(id)?.clearFrames()
      },
      saveTemplate(template) {
        set((s) => ({ templates: [...s.templates.filter((t) => t.name !== template.name), template] }))
        persist()
      },
      deleteTemplate(name) {
        set((s) => ({ templates: s.templates.filter((t) => t.name !== name) }))
        persist()
      },
      ...captureActions({ configOf, sessions, replays, addConnection }),
      session: (id) => sessions.ensure(id)
    }
  })
}

export type WsClientStore = ReturnType<typeof createWsClientStore>

const HASH = '#ws-client'

/** The app's WebSocket client; `#ws-client` in the address opens it, so a reload stays in it. */
export const useWsClient = createWsClientStore({
  storage: browserStorage(),
  bridge: typeof window !== 'undefined' ? (window.parley ?? null) : null,
  initiallyVisible: typeof location !== 'undefined' && location.hash === HASH,
  onVisibleChange(visible) {
    if (typeof history === 'undefined') return
    const base = `${location.pathname}${location.search}`
    history.replaceState(null, '', visible ? `${base}${HASH}` : base)
  }
})
