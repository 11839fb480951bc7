/**
 * The app's composition (app-bootstrap.ts) under Node: a fake of Electron's modules (the one
 * thing that cannot run here), with the real services, the real router over a fake ipcMain, the
 * real chat server on loopback and real WebSocket clients.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { SUBPROTOCOL } from '../shared/protocol'
import { startApp, type BootstrapOptions, type RunningApp } from './app-bootstrap'
import { registerHandlers } from './ipc-router'
import { createChatServer } from './server/index'
import { loadTlsIdentity } from './server/tls-identity'
import {
  createFakeElectron,
  FakeIpcMain,
  FakeWebContents,
  type FakeElectron
} from '../../test-support/fake-electron'

let root: string
let outDir: string
let ipc: FakeIpcMain
let fake: FakeElectron
let running: RunningApp
const sockets: WebSocket[] = []

function boot(overrides: { lockGranted?: boolean; isPackaged?: boolean; env?: Record<string, string> } = {}) {
  ipc = new FakeIpcMain()
  fake = createFakeElectron({ userData: join(root, 'user-data'), ...overrides })
  const options: BootstrapOptions = {
    electron: fake.electron as BootstrapOptions['electron'],
    registerIpc: (handlers, policy) => registerHandlers(ipc, handlers, policy),
    createServer: createChatServer,
    outDir,
    // Never multicast from a test on the host's network (LAN discovery and announcing stay off).
    env: { PARLEY_NO_MDNS: '1', ...overrides.env },
    logger: pino({ level: 'silent' }),
    platform: 'linux'
  }
  running = startApp(options)
  return running
}

async function bootReady(overrides: Parameters<typeof boot>[0] = {}) {
  boot(overrides)
  fake.emitReady()
  await running.ready
  return fake.windows[0]!
}

function invokeFrom(contents: FakeWebContents, channel: string, request?: unknown, url = 'parley://app/') {
  return ipc.invoke(channel, contents.invokeEvent({ url }), request)
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-boot-'))
  outDir = join(root, 'out')
  mkdirSync(join(outDir, 'renderer'), { recursive: true })
  writeFileSync(join(outDir, 'renderer', 'index.html'), '<!doctype html><title>Parley</title>')
})
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate()
  await running?.host?.stop()
  rmSync(root, { recursive: true, force: true })
})

describe('certificate pinning in the default session', () => {
  it('asks about a self-signed server once, with its fingerprint, then trusts it from settings.json', async () => {
    await bootReady()
    const verifyProc = fake.sessionHandlers.certificateVerify!
    expect(verifyProc).toBeTypeOf('function')
    const identity = loadTlsIdentity({ selfSigned: true }, join(root, 'server'))
    const verify = () =>
      new Promise<number>((resolve) =>
        verifyProc(
          {
            hostname: '192.0.2.7',
            certificate: { data: identity.cert },
            verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID'
          },
          resolve
        )
      )
    fake.dialogAnswers.push(1)
    expect(await verify()).toBe(0)
    expect(fake.dialogs).toHaveLength(1)
    expect(fake.dialogs[0]!.buttons).toEqual(['Cancel', 'Trust and connect'])
    expect(fake.dialogs[0]!.detail).toContain(identity.fingerprint.slice(0, 8).toUpperCase())
    expect(running.settings!.get().trustedCertificates['192.0.2.7']?.fingerprint).toBe(identity.fingerprint)
    expect(await verify()).toBe(0)
    expect(fake.dialogs).toHaveLength(1)
  })

  it("trusts the app's own TLS server on loopback without asking", async () => {
    await bootReady()
    const status = await running.host!.start({ port: 0, name: 'Den', scope: 'local', tls: true })
    if (status.state !== 'running') throw new Error('not running')
    const cert = readFileSync(join(root, 'user-data', 'hosted-server', 'tls', 'cert.pem'), 'utf8')
    const code = await new Promise<number>((resolve) =>
      fake.sessionHandlers.certificateVerify!(
        {
          hostname: '127.0.0.1',
          certificate: { data: cert },
          verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID'
        },
        resolve
      )
    )
    expect(code).toBe(0)
    expect(fake.dialogs).toEqual([])
  })
})

describe('startup', () => {
  it('registers parley:// as a privileged scheme before ready, then serves the renderer from it', async () => {
    boot()
    expect(fake.privileged).toEqual([
      {
        scheme: 'parley',
        privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
      }
    ])
    expect(fake.windows).toHaveLength(0)
    fake.emitReady()
    await running.ready
    const response = await fake.protocolHandlers.get('parley')!(new Request('parley://app/'))
    expect(await response.text()).toContain('<title>Parley</title>')
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
  })

  it('opens one hardened window on parley://app/ with the bundled CJS preload', async () => {
    const window = await bootReady()
    expect(fake.windows).toHaveLength(1)
    expect(window.loadedUrl).toBe('parley://app/')
    expect(window.options.webPreferences).toMatchObject({
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false
    })
    expect(window.options).toMatchObject({ width: 1100, height: 720, show: false })
    window.emit('ready-to-show')
    expect(window.visible).toBe(true)
  })

  it('loads the dev server in development, and trusts its origin for IPC', async () => {
    const window = await bootReady({
      isPackaged: false,
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }
    })
    expect(window.loadedUrl).toBe('http://localhost:5173')
    expect(
      await invokeFrom(window.webContents, 'app:info', undefined, 'http://localhost:5173/')
    ).toMatchObject({
      result: { version: '0.1.0-test', platform: 'linux' }
    })
  })

  it('a second instance quits at once and builds nothing', () => {
    boot({ lockGranted: false })
    expect(running.isPrimaryInstance).toBe(false)
    expect(fake.app.quitRequests).toBe(1)
    expect(ipc.handlers.size).toBe(0)
  })

  it('uses PARLEY_USER_DATA_DIR for its profile', async () => {
    const own = join(root, 'own-profile')
    await bootReady({ env: { PARLEY_USER_DATA_DIR: own } })
    expect(fake.app.paths.get('userData')).toBe(own)
    await invokeFrom(fake.windows[0]!.webContents, 'settings:set', { nickname: 'ada' })
    expect(running.settings!.get().nickname).toBe('ada')
  })
})

describe('the window and its IPC', () => {
  it('answers the window on parley://app and refuses anything else', async () => {
    const window = await bootReady()
    expect(await invokeFrom(window.webContents, 'host:status')).toEqual({ result: { state: 'stopped' } })
    expect(
      await invokeFrom(window.webContents, 'host:status', undefined, 'https://evil.example/')
    ).toMatchObject({
      error: { code: 'untrusted_sender' }
    })
    expect(await invokeFrom(new FakeWebContents(), 'host:status')).toMatchObject({
      error: { code: 'untrusted_sender' }
    })
  })

  it('applies the navigation rules to every webContents created', async () => {
    await bootReady()
    const popup = new FakeWebContents()
    fake.app.emit('web-contents-created', {}, popup)
    expect(popup.emitPreventable('will-navigate', 'https://example.com/')).toBe(true)
    expect(popup.windowOpenHandler!({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' })
    expect(fake.opened).toEqual(['https://example.com/', 'https://example.com/docs'])
  })

  it('denies permission requests in the default session', async () => {
    await bootReady()
    let granted: boolean | undefined
    fake.sessionHandlers.permissionRequest!(
      { getURL: () => 'parley://app/' },
      'media',
      (g: boolean) => (granted = g),
      {
        requestingUrl: 'parley://app/'
      }
    )
    expect(granted).toBe(false)
  })

  it('remembers the window bounds on close and restores them on the next start', async () => {
    const window = await bootReady()
    window.bounds = { x: 40, y: 50, width: 900, height: 650 }
    window.maximized = true
    window.close()
    expect(running.settings!.get().windowBounds).toEqual({
      x: 40,
      y: 50,
      width: 900,
      height: 650,
      maximized: true
    })
    // Closing the last window quits on Linux and Windows.
    fake.app.emit('window-all-closed')
    expect(fake.app.quitted).toBe(true)

    const next = await bootReady()
    expect(next.options).toMatchObject({ x: 40, y: 50, width: 900, height: 650 })
    expect(next.maximized).toBe(true)
  })

  it('focuses the existing window when a second instance starts', async () => {
    const window = await bootReady()
    window.minimized = true
    fake.app.emit('second-instance')
    expect(window).toMatchObject({ minimized: false, visible: true, focused: true })
  })

  it('shows a notification only while unfocused; a click focuses and tells the page where to go', async () => {
    const window = await bootReady()
    const request = { kind: 'dm', title: 'grace', body: 'lunch?', target: { dmUserId: 'u1' } }
    window.focused = true
    expect(await invokeFrom(window.webContents, 'app:notify', request)).toEqual({
      result: { shown: false, skipped: 'focused' }
    })
    window.focused = false
    expect(await invokeFrom(window.webContents, 'app:notify', request)).toEqual({ result: { shown: true } })
    const notification = fake.notifications[0]!
    expect(notification).toMatchObject({ shown: true, options: { title: 'grace', body: 'lunch?' } })
    notification.emit('click')
    expect(window.focused).toBe(true)
    expect(window.webContents.sent).toContainEqual({
      channel: 'app:notification-clicked',
      payload: { dmUserId: 'u1' }
    })
    expect(await invokeFrom(window.webContents, 'app:set-badge', { count: 4 })).toEqual({
      result: { applied: true }
    })
    expect(fake.app.badge).toBe(4)
  })
})

describe('hosting', () => {
  it('streams host status to the window, and quitting while hosting closes every client with 1001 first', async () => {
    const window = await bootReady()
    const started = (await invokeFrom(window.webContents, 'host:start', {
      port: 0,
      name: 'Den',
      scope: 'local'
    })) as {
      result: { state: string; selfUrl: string }
    }
    expect(started.result.state).toBe('running')
    expect(window.webContents.sent.map((s) => s.channel)).toContain('host:status-changed')

    const socket = new WebSocket(started.result.selfUrl, SUBPROTOCOL)
    sockets.push(socket)
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    socket.send(JSON.stringify({ type: 'hello', nick: 'grace' }))

    fake.app.quit()
    // The first quit is held back until the server has said goodbye…
    expect(fake.app.quitted).toBe(false)
    expect(await closed).toBe(1001)
    // …then the app quits for real.
    await expect.poll(() => fake.app.quitted).toBe(true)
    expect(running.host!.isHosting).toBe(false)
    expect(fake.app.quitRequests).toBe(2)
  })

  it("lets the dev server's page reach the hosted server in a development build only", async () => {
    const handshakeFrom = async (selfUrl: string, origin: string): Promise<'open' | 'refused'> => {
      const socket = new WebSocket(selfUrl, SUBPROTOCOL, { origin })
      sockets.push(socket)
      return new Promise((resolve) => {
        socket.once('open', () => resolve('open'))
        socket.once('error', () => resolve('refused'))
      })
    }
    const start = async (window: Awaited<ReturnType<typeof bootReady>>) =>
      (
        (await invokeFrom(window.webContents, 'host:start', { port: 0, name: 'Den', scope: 'local' })) as {
          result: { selfUrl: string }
        }
      ).result.selfUrl
    const dev = await bootReady({
      isPackaged: false,
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }
    })
    const devUrl = await start(dev)
    expect(await handshakeFrom(devUrl, 'http://localhost:5173')).toBe('open')
    expect(await handshakeFrom(devUrl, 'http://localhost:5174')).toBe('refused')
    await running.host!.stop()
    // Packaged, the same variable (set by anyone who can start the app) opens nothing.
    const packaged = await bootReady({
      isPackaged: true,
      env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }
    })
    const packagedUrl = await start(packaged)
    expect(await handshakeFrom(packagedUrl, 'http://localhost:5173')).toBe('refused')
    expect(await handshakeFrom(packagedUrl, 'parley://app')).toBe('open')
    await running.host!.stop()
  })

  it('quits at once when not hosting', async () => {
    await bootReady()
    fake.app.quit()
    expect(fake.app.quitted).toBe(true)
  })
})
