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
import { createCertificateVerifier, type CertificateVerifier } from './certificate-trust'
import { forwardDiscoveryEvents, forwardHostEvents } from './host-events'
import { createDiscoveryService, type DiscoveryService } from './lan-discovery'
import { createInvokeHandlers } from './invoke-handlers'
import { registerHandlers, send } from './ipc-router'
import { createNotifier } from './notifier'
import { APP_ORIGIN, createTrustedUrlCheck } from './security'
import { createSettingsStore } from './settings-store'
import { createWsRelay, type WsRelay } from './ws-relay'
import { FakeIpcMain, FakeWebContents, fakeRendererTransport } from '../../test-support/fake-electron'
import { createScriptedDiscovery, type ScriptedDiscovery } from '../../test-support/scripted-discovery'

let dir: string
let ipc: FakeIpcMain
let window: FakeWebContents
let frameUrl: string
let api: ParleyApi
let unregister: () => void
let host: HostService
let relay: WsRelay
let settingsFile: string
let scripted: ScriptedDiscovery
let discovery: DiscoveryService
let trust: CertificateVerifier
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
  scripted = createScriptedDiscovery()
  discovery = createDiscoveryService({ source: scripted.source })
  trust = createCertificateVerifier({
    remembered: (name) => settings.get().trustedCertificates[name],
    remember: (name, certificate) => settings.setTrustedCertificate(name, certificate),
    forget: (name) => settings.setTrustedCertificate(name, undefined),
    announced: (name) => discovery.fingerprintsFor(name),
    ownServer: () => host.ownFingerprint(),
    ask: () => Promise.resolve(false),
    explainRefusal: () => Promise.resolve(false)
  })
  unregister = registerHandlers(
    ipc,
    createInvokeHandlers({
      host,
      settings,
      notifier,
      relay,
      appInfo: { version: '0.1.0', platform: 'linux' },
      discovery,
      trust
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
    expect(saved).toEqual({
      port: 0,
      name: 'Den',
      scope: 'local',
      portFallback: true,
      tls: false,
      mdns: true
    })
    expect(JSON.stringify(saved)).not.toContain('pw')
    const again = await rejection(api.host.start({ port: 0, name: 'Den', scope: 'local' }))
    expect(again.code).toBe('already_hosting')
    expect(await api.host.stop()).toEqual({ state: 'stopped' })
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped'])
    offStatus()
    off()
  })

  it('hosts with TLS: the status carries the fingerprint, the own window joins over wss, nothing is announced', async () => {
    const status = await api.host.start({ port: 0, name: 'Den', scope: 'lan', tls: true })
    expect(status).toMatchObject({ state: 'running', tls: true, announced: false })
    if (status.state !== 'running') throw new Error('not running')
    expect(status.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(status.selfUrl).toBe(`wss://127.0.0.1:${status.port}/ws`)
    expect(status.urls.every((url) => url.startsWith('wss://'))).toBe(true)
    expect(host.ownFingerprint()).toBe(status.fingerprint)
  })

  it('browses the LAN through the bridge: start answers the list, found and gone servers arrive as events', async () => {
    const off = forwardDiscoveryEvents(discovery, window)
    const lists: string[][] = []
    const offServers = api.discovery.onServers((servers) => lists.push(servers.map((s) => s.name)))
    expect(await api.discovery.start()).toEqual([])
    expect(scripted.browsing).toBe(true)
    scripted.up({
      fqdn: 'Lab One._parley._tcp.local',
      name: 'Lab One',
      port: 8443,
      addresses: ['192.0.2.7'],
      txt: { name: 'Lab One', tls: '1', auth: '1', path: '/ws', v: '1', fp: 'ab'.repeat(32) }
    })
    expect(await api.discovery.start()).toEqual([
      {
        id: 'Lab One._parley._tcp.local',
        name: 'Lab One',
        host: '192.0.2.7',
        port: 8443,
        url: 'wss://192.0.2.7:8443/ws',
        tls: true,
        passwordRequired: true,
        fingerprint: 'ab'.repeat(32),
        protocolVersion: '1'
      }
    ])
    expect(scripted.starts).toBe(1)
    scripted.down('Lab One._parley._tcp.local')
    expect(lists).toEqual([['Lab One'], []])
    expect(await api.discovery.stop()).toEqual({ browsing: false })
    expect(scripted.browsing).toBe(false)
    offServers()
    off()
  })

  it('takes a join link fingerprint for a host before connecting', async () => {
    expect(await api.trust.expect({ host: '192.0.2.7', fingerprint: 'AB:'.repeat(31) + 'AB' })).toEqual({
      remembered: false
    })
    const invalid = await rejection(api.trust.expect({ host: '192.0.2.7', fingerprint: 'not-hex' }))
    expect(invalid.code).toBe('invalid_payload')
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
