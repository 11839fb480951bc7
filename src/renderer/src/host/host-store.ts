/**
 * The renderer's view of hosting: main's host status and connection snapshots, fed by
 * window.parley's events (wired once, outside React), plus the start/stop actions the panel
 * calls. Exists only in the desktop app; the web client has no bridge and no store.
 */
import { create } from 'zustand'
import type { Fault } from '../../../shared/fault-schema'
import type { HostConnection, HostOptions, HostStatus, ParleyApi, Settings } from '../../../shared/ipc'
import { useModeration } from '../moderation/moderation-store'
import { useStore } from '../store'
import { appPreferences } from '../store/app-preferences'

export interface HostState {
  status: HostStatus
  connections: HostConnection[]
  /** The last start/stop failure, as the sentence main sent. */
  error: string | null
  /** The last host options and nickname, from settings, to prefill the form. */
  remembered: { options?: Settings['lastHost']; nickname: string } | null
  /** Main found the settings file corrupt and replaced it: said once, until dismissed. */
  settingsProblem: string | null
  dismissSettingsProblem(): void
  start(options: HostOptions, nick: string): Promise<void>
  stop(): Promise<void>
  /** Fault injection on one connection; resolves with main's sentence when it was refused. */
  injectFault(connectionId: string, fault: Fault): Promise<string | null>
  clearFaults(connectionId: string): Promise<string | null>
}

export function createHostStore(api: ParleyApi) {
  const store = create<HostState>()((set, get) => ({
    status: { state: 'stopped' },
    connections: [],
    error: null,
    remembered: null,
    settingsProblem: null,
    dismissSettingsProblem: () => set({ settingsProblem: null }),
    async start(options, nick) {
      set({ error: null })
      try {
        const status = await api.host.start(options)
        // Main saved these choices (never the password); the next form starts from them.
        const { password: _password, ...saved } = options
        const remembered = {
          options: { portFallback: true, tls: false, mdns: true, ...saved },
          nickname: nick
        }
        if (nick !== get().remembered?.nickname) {
          void appPreferences.getState().set({ nickname: nick })
        }
        set({ status, remembered })
        if (status.state !== 'running') return
        useModeration.getState().setOwnerToken(status.selfUrl, status.ownerToken ?? null)
        // The host joins its own server over loopback, like any other member.
        useStore.getState().connect({
          url: status.selfUrl,
          nick,
          ...(options.password ? { password: options.password } : {})
        })
      } catch (error) {
        set({ error: (error as Error).message })
      }
    },
    async injectFault(connectionId, fault) {
      try {
        await api.host.injectFault({ connectionId, fault })
        return null
      } catch (error) {
        return (error as Error).message
      }
    },
    async clearFaults(connectionId) {
      try {
        await api.host.clearFaults({ connectionId })
        return null
      } catch (error) {
        return (error as Error).message
      }
    },
    async stop() {
      set({ error: null })
      const current = get().status
      const selfUrl = current.state === 'running' ? current.selfUrl : null
      try {
        set({ status: await api.host.stop() })
      } catch (error) {
        set({ error: (error as Error).message })
        return
      }
      // Everyone (the host too) got 1001; the host chose this, so it does not keep reconnecting.
      const chat = useStore.getState()
      if (selfUrl && chat.url === selfUrl) chat.disconnect()
    }
  }))

  const ownServer = (status: HostStatus) =>
    useModeration
      .getState()
      .setOwnerToken(
        status.state === 'running' ? status.selfUrl : null,
        status.state === 'running' ? (status.ownerToken ?? null) : null
      )
  api.host.onStatusChanged((status) => {
    store.setState({ status })
    ownServer(status)
  })
  api.host.onConnections((connections) => store.setState({ connections }))
  // Catch up with a server that was already running (a reload of the window).
  void Promise.all([api.host.status(), api.host.listConnections(), api.settings.get()])
    .then(([status, connections, { settings, problem }]) => {
      ownServer(status)
      store.setState({
        status,
        connections,
        remembered: { options: settings.lastHost, nickname: settings.nickname },
        settingsProblem: problem?.message ?? null
      })
    })
    .catch((error: unknown) => store.setState({ error: (error as Error).message }))
  return store
}

export type HostStore = ReturnType<typeof createHostStore>

/** The app's host store, or null in the web client (no desktop bridge). */
export const hostStore: HostStore | null =
  typeof window !== 'undefined' && window.parley ? createHostStore(window.parley) : null
