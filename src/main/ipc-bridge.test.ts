/**
 * The bridge end to end under Node: the preload's real createParleyApi → a stand-in for
 * ipcRenderer → a fake ipcMain → the real router → the real handlers and services.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createParleyApi } from '../preload/api'
import { IpcError, INVOKE_CHANNELS, EVENT_CHANNELS, methodPath, type ParleyApi } from '../shared/ipc'
import { createChatServer } from './server/index'
import { createHostService, type HostService } from './host-service'
import { forwardHostEvents } from './host-events'
import { createInvokeHandlers } from './invoke-handlers'
import { registerHandlers, send } from './ipc-router'
import { createNotifier } from './notifier'
import { APP_ORIGIN, createTrustedUrlCheck } from './security'
import { createSettingsStore } from './settings-store'
import { createWsRelay, type WsRelay } from './ws-relay'
import { FakeIpcMain, FakeWebContents, fakeRendererTransport } from '../../test-support/fake-electron'

let dir: string
let ipc: FakeIpcMain
let window: FakeWebContents
let frameUrl: string
let api: ParleyApi
let unregister: () => void
let host: HostService
let relay: WsRelay
let settingsFile: string
const warnings: object[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-bridge-'))
  ipc = new FakeIpcMain()
  window = new FakeWebContents()
  frameUrl = `${APP_ORIGIN}/`
  settingsFile = join(dir, 'settings.json')
  const settings = createSettingsStore({ file: settingsFile })
  host = createHostService({ createServer: createChatServer, dataDir: join(dir, 'host') })
  relay = createWsRelay()
  const notifier = createNotifier({
    isWindowFocused: () => false,
    notificationsEnabled: () => settings.get().notifications,
    isSupported: () => true,
    show: () => undefined,
    setBadgeCount: () => true,
    onClick: () => undefined
  })
  unregister = registerHandlers(
    ipc,
    createInvokeHandlers({
      host,
      settings,
      notifier,
      relay,
      appInfo: { version: '0.1.0', platform: 'linux' }
    }),
    { isTrustedWebContents: (id) => id === window.id, isTrustedUrl: createTrustedUrlCheck() },
    { warn: (details) => warnings.push(details), error: () => undefined }
  )
  api = createParleyApi(fakeRendererTransport(ipc, window, () => frameUrl))
})
afterEach(async () => {
  relay.closeAll()
  await host.stop()
  unregister()
  rmSync(dir, { recursive: true, force: true })
})

async function rejection(promise: Promise<unknown>): Promise<IpcError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(IpcError)
  return error as IpcError
}

describe('the typed bridge', () => {
  it('exposes one method per invoke channel and one onX per event channel, and a handler for each', () => {
    for (const channel of INVOKE_CHANNELS) {
      const [domain, method] = methodPath(channel, 'invoke')
      expect(
        typeof (api as never as Record<string, Record<string, unknown>>)[domain]?.[method],
        channel
      ).toBe('function')
      expect(ipc.handlers.has(channel), channel).toBe(true)
    }
    for (const channel of EVENT_CHANNELS) {
      const [domain, method] = methodPath(channel, 'event')
      expect(
        typeof (api as never as Record<string, Record<string, unknown>>)[domain]?.[method],
        channel
      ).toBe('function')
    }
    expect(api.host.start).toBeTypeOf('function')
    expect(api.host.onStatusChanged).toBeTypeOf('function')
    expect(api.app.setBadge).toBeTypeOf('function')
    expect(Object.isFrozen(api) && Object.isFrozen(api.host)).toBe(true)
  })

  it('round-trips settings through main', async () => {
    const first = await api.settings.get()
    expect(first.problem).toBeUndefined()
    expect(first.settings.nickname).toBe('')
    const saved = await api.settings.set({ nickname: 'ada', theme: 'dark' })
    expect(saved).toMatchObject({ nickname: 'ada', theme: 'dark', notifications: true })
    expect((await api.settings.get()).settings.nickname).toBe('ada')
    expect(await api.app.info()).toEqual({ version: '0.1.0', platform: 'linux' })
  })

  it('rejects an invalid payload with an Error carrying code invalid_payload and a readable message', async () => {
    const error = await rejection(api.settings.set({ theme: 'neon' } as never))
    expect(error.code).toBe('invalid_payload')
    expect(error.message).toMatch(/^Invalid settings:set request: theme/)
    expect(error.message).not.toContain('Error invoking remote method')
    const extra = await rejection(api.settings.set({ windowBounds: { width: 300, height: 300 } } as never))
    expect(extra.code).toBe('invalid_payload')
    const badge = await rejection(api.app.setBadge({ count: -1 }))
    expect(badge.code).toBe('invalid_payload')
  })

  it('refuses a page that is not the app, an iframe, and another window', async () => {
    frameUrl = 'https://evil.example/'
    const offOrigin = await rejection(api.settings.get())
    expect(offOrigin.code).toBe('untrusted_sender')
    expect(offOrigin.message).toContain('https://evil.example')
    frameUrl = `${APP_ORIGIN}/`
    const iframe = await ipc.invoke('settings:get', {
      sender: { id: window.id },
      senderFrame: { url: frameUrl, parent: {} }
    })
    expect(iframe).toMatchObject({ error: { code: 'untrusted_sender' } })
    const other = new FakeWebContents()
    const foreign = await ipc.invoke('settings:get', other.invokeEvent({ url: frameUrl }))
    expect(foreign).toMatchObject({ error: { code: 'untrusted_sender' } })
    const gone = await ipc.invoke('settings:get', { sender: { id: window.id }, senderFrame: null })
    expect(gone).toMatchObject({ error: { code: 'untrusted_sender' } })
    expect(warnings.length).toBeGreaterThanOrEqual(1)
  })

  it('turns a missing handler into a plain sentence instead of Electron’s wrapper text', async () => {
    unregister()
    const error = await rejection(api.app.info())
    expect(error.code).toBe('internal')
    expect(error.message).toMatch(/^The app could not handle app:info/)
    unregister = () => undefined
  })

  it('delivers events validated against the contract, and unsubscribes', () => {
    const statuses: string[] = []
    const off = api.host.onStatusChanged((status) => statuses.push(status.state))
    send(window, 'host:status-changed', { state: 'stopping' })
    // Off-contract payloads are dropped, not passed to the UI.
    window.send('host:status-changed', { state: 'exploded' })
    off()
    send(window, 'host:status-changed', { state: 'stopped' })
    expect(statuses).toEqual(['stopping'])
  })

  it('skips sending to a destroyed window instead of throwing', () => {
    window.destroyed = true
    expect(send(window, 'host:status-changed', { state: 'stopped' })).toBe(false)
  })
  it('hosts through the bridge: status and connection events reach window.parley, the password is not remembered', async () => {
    const off = forwardHostEvents(host, window)
    const states: string[] = []
    const offStatus = api.host.onStatusChanged((status) => states.push(status.state))
    const status = await api.host.start({ port: 0, name: 'Den', scope: 'local', password: 'pw' })
    expect(status).toMatchObject({ state: 'running', name: 'Den', passwordProtected: true })
    expect(await api.host.status()).toEqual(status)
    expect(await api.host.listConnections()).toEqual([])
    expect(states).toEqual(['starting', 'running'])
    const saved = (await api.settings.get()).settings.lastHost
    expect(saved).toEqual({ port: 0, name: 'Den', scope: 'local', portFallback: true })
    expect(JSON.stringify(saved)).not.toContain('pw')
    const again = await rejection(api.host.start({ port: 0, name: 'Den', scope: 'local' }))
    expect(again.code).toBe('already_hosting')
    expect(await api.host.stop()).toEqual({ state: 'stopped' })
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped'])
    offStatus()
    off()
  })

  it('reports a settings write failure as settings_write_failed, and still hosts when only remembering fails', async () => {
    // A directory where the file should be: the atomic rename fails, as on a full or read-only disk.
    mkdirSync(settingsFile)
    const error = await rejection(api.settings.set({ nickname: 'ada' }))
    expect(error.code).toBe('settings_write_failed')
    expect(error.message).toMatch(/^Settings could not be saved: /)
    const status = await api.host.start({ port: 0, name: 'Den', scope: 'local' })
    expect(status.state).toBe('running')
  })
})
