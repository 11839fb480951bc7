/**
 * The WebSocket client's own store, apart from the chat's: several named connections to any
 * servers, each with its WsSession (kept outside the state: sockets are not data), the facts its
 * events report, saved messages, and the import/export/replay of a session. Connections and saved
 * messages persist (ws-client-storage.ts); frames stay in each session's ring buffer.
 */
import { create } from 'zustand'
import type { ParleyApi } from '../../../shared/ipc'
import { parseHeaderLines } from '../../../shared/relay-headers'
import { systemClock, type Clock, type TimerHandle } from '../engine/clock'
import { bridgedWebSocket } from './bridged-socket'
import type { KeyValueStorage } from '../store/preferences-local'
import { exportSessionFile, importSessionFile, replayPlan } from './session-file'
import {
  browserStorage,
  loadWsClient,
  saveWsClient,
  type SavedConnection,
  type Template
} from './ws-client-storage'
import {
  parseProtocols,
  WsSession,
  type BinaryWebSocketFactory,
  type OutgoingPayload,
  type WsCloseRow,
  type WsHandshake,
  type WsFrame,
  type WsState,
  type WsTimelineEntry
} from './ws-session'

export interface WsConnectionView extends SavedConnection {
  state: WsState
  timeline: WsTimelineEntry[]
  handshake: WsHandshake | null
  closes: WsCloseRow[]
  bufferedAmount: number
  /** Bumped when frames arrive; the frames live in the session's ring buffer. */
  framesVersion: number
  nextAttemptAt: number | null
  /** Sent frames of an imported capture still to replay; 0 when no replay runs. */
  replayLeft: number
}

type ConnectionSettings = Pick<SavedConnection, 'name' | 'url' | 'protocols' | 'autoReconnect' | 'headers'>

export interface WsClientState {
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
  exportSession(id: string): string
  /** Imports a capture as a new connection. Returns a sentence when the file is refused. */
  importSession(text: string): string | null
  /** Sends the connection's captured outgoing frames again, with their spacing. */
  replay(id: string): string | null
  stopReplay(id: string): void
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

const TIMELINE_KEEP = 200
const CLOSES_KEEP = 100
/** Frame bursts repaint the log at most this often. */
const FRAMES_REPAINT_MS = 50

function newId(): string {
  // Not crypto.randomUUID: it exists only in secure contexts, and a LAN http:// page is not one.
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
}

function view(saved: SavedConnection): WsConnectionView {
  return {
    ...saved,
    state: 'idle',
    timeline: [],
    handshake: null,
    closes: [],
    bufferedAmount: 0,
    framesVersion: 0,
    nextAttemptAt: null,
    replayLeft: 0
  }
}

export function createWsClientStore(deps: WsClientDeps) {
  const clock = deps.clock ?? systemClock
  const stored = loadWsClient(deps.storage)
  const sessions = new Map<string, WsSession>()
  const repaint = new Map<string, TimerHandle>()
  const replays = new Map<string, TimerHandle>()
  /** Frames each imported capture came with: a replay sends these, not what the replay itself sent. */
  const imported = new Map<string, WsFrame[]>()

  return create<WsClientState>()((set, get) => {
    function persist(): void {
      const { connections, templates } = get()
      saveWsClient(deps.storage, {
        connections: connections.map(({ id, name, url, protocols, autoReconnect, headers }) => ({
          id,
          name,
          url,
          protocols,
          autoReconnect,
          headers
        })),
        templates
      })
    }

    function patch(id: string, change: (c: WsConnectionView) => Partial<WsConnectionView>): void {
      set((s) => ({ connections: s.connections.map((c) => (c.id === id ? { ...c, ...change(c) } : c)) }))
    }

    function sessionFor(id: string): WsSession {
      let session = sessions.get(id)
      if (session) return session
      const config = get().connections.find((c) => c.id === id)
      session = new WsSession({
        url: config?.url ?? '',
        protocols: parseProtocols(config?.protocols ?? ''),
        autoReconnect: config?.autoReconnect ?? false,
        WebSocket: deps.WebSocket,
        clock
      })
      session.subscribe((event) => {
        switch (event.type) {
          case 'state':
            patch(id, (c) => ({
              state: event.entry.state,
              timeline: [...c.timeline, event.entry].slice(-TIMELINE_KEEP),
              ...(event.entry.state !== 'reconnecting' ? { nextAttemptAt: null } : {})
            }))
            break
          case 'handshake':
            patch(id, () => ({ handshake: event.facts }))
            break
          case 'close':
            patch(id, (c) => ({ closes: [...c.closes, event.row].slice(-CLOSES_KEEP) }))
            break
          case 'buffered':
            patch(id, () => ({ bufferedAmount: event.bytes }))
            break
          case 'reconnect':
            patch(id, () => ({ nextAttemptAt: event.dueAt }))
            break
          case 'frames':
            if (repaint.has(id)) break
            repaint.set(
              id,
              clock.setTimeout(() => {
                repaint.delete(id)
                patch(id, (c) => ({ framesVersion: c.framesVersion + 1 }))
              }, FRAMES_REPAINT_MS)
            )
            break
        }
      })
      sessions.set(id, session)
      return session
    }

    const pageWebSocket = deps.WebSocket ?? (globalThis.WebSocket as unknown as BinaryWebSocketFactory)

    /** The page's WebSocket, or main's relay when there are headers to send (a sentence when it cannot). */
    function transportFor(headerLines: string): BinaryWebSocketFactory | string {
      const parsed = parseHeaderLines(headerLines)
      if (!parsed.ok) return parsed.message
      if (Object.keys(parsed.headers).length === 0) return pageWebSocket
      if (!deps.bridge)
        return 'A browser cannot send request headers on a WebSocket; clear them, or use the desktop app.'
      return bridgedWebSocket(deps.bridge, parsed.headers)
    }

    function addConnection(settings: Partial<ConnectionSettings> = {}): string {
      const id = newId()
      const n = get().connections.length + 1
      const saved: SavedConnection = {
        id,
        name: settings.name ?? `Connection ${n}`,
        url: settings.url ?? 'ws://localhost:8080/',
        protocols: settings.protocols ?? '',
        autoReconnect: settings.autoReconnect ?? false,
        headers: settings.headers ?? ''
      }
      set((s) => ({ connections: [...s.connections, view(saved)], activeId: id }))
      persist()
      return id
    }

    function stopReplay(id: string): void {
      const timer = replays.get(id)
      if (timer !== undefined) clock.clearTimeout(timer)
      replays.delete(id)
      patch(id, () => ({ replayLeft: 0 }))
    }

    const initial =
      stored.connections.length > 0
        ? stored.connections.map(view)
        : [
            view({
              id: newId(),
              name: 'Connection 1',
              url: 'ws://localhost:8080/',
              protocols: '',
              autoReconnect: false,
              headers: ''
            })
          ]
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
        stopReplay(id)
        sessions.get(id)?.dispose()
        sessions.delete(id)
        imported.delete(id)
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
        const config = get().connections.find((c) => c.id === id)
        if (!config) return 'There is no such connection.'
        const session = sessionFor(id)
        const transport = transportFor(config.headers)
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
        stopReplay(id)
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
      exportSession(id) {
        const c = get().connections.find((x) => x.id === id)
        return exportSessionFile({
          name: c?.name ?? '',
          url: c?.url ?? '',
          protocols: parseProtocols(c?.protocols ?? ''),
          handshake: c?.handshake ?? null,
          timeline: c?.timeline ?? [],
          closes: c?.closes ?? [],
          frames: sessions.get(id)?.frames.toArray() ?? []
        })
      },
      importSession(text) {
        const result = importSessionFile(text)
        if (!result.ok) return result.message
        const { connection, frames } = result.file
        const id = addConnection({
          name: `${connection.name || 'Session'} (imported)`,
          url: connection.url,
          protocols: connection.protocols.join(', ')
        })
        imported.set(id, frames)
        sessionFor(id).loadFrames(frames)
        return null
      },
      replay(id) {
        const session = sessions.get(id)
        if (!session || session.state !== 'open') return 'Open the connection first: the replay sends on it.'
        const steps = replayPlan(imported.get(id) ?? session.frames.toArray())
        if (steps.length === 0) return 'Nothing to replay: this connection has no sent frames.'
        stopReplay(id)
        let index = 0
        const next = () => {
          const step = steps[index]
          if (!step) return stopReplay(id)
          replays.set(
            id,
            clock.setTimeout(() => {
              const problem = session.send(step.payload)
              index++
              patch(id, () => ({ replayLeft: steps.length - index }))
              if (problem) stopReplay(id)
              else next()
            }, step.delayMs)
          )
        }
        patch(id, () => ({ replayLeft: steps.length }))
        next()
        return null
      },
      stopReplay,
      session: sessionFor
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
