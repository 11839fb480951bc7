/**
 * Main's side of the bridge harness: the real services and handlers the Electron bootstrap
 * composes (host service with the real chat server, settings in a temp dir, the notifier), behind
 * a fake ipcMain. Each attached Playwright page plays one BrowserWindow: its binding is
 * ipcRenderer.invoke, and webContents.send becomes a call into the page.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { createAppProtocolHandler } from '../../src/main/app-protocol'
import { createCertificateVerifier } from '../../src/main/certificate-trust'
import { createHostService, type HostService } from '../../src/main/host-service'
import { forwardDiscoveryEvents, forwardHostEvents } from '../../src/main/host-events'
import { createDiscoveryService } from '../../src/main/lan-discovery'
import { createInvokeHandlers } from '../../src/main/invoke-handlers'
import { createWsRelay, forwardRelayEvents } from '../../src/main/ws-relay'
import { registerHandlers } from '../../src/main/ipc-router'
import { createNotifier } from '../../src/main/notifier'
import { contentSecurityPolicy } from '../../src/shared/content-security-policy'
import { createChatServer } from '../../src/main/server/index'
import { createSettingsStore } from '../../src/main/settings-store'
import { FakeIpcMain, FakeWebContents } from '../../test-support/fake-electron'
import { createScriptedDiscovery, type ScriptedDiscovery } from '../../test-support/scripted-discovery'
import type { HarnessGlobals } from './preload-entry'

export interface HarnessMain {
  /** Where the built renderer is served, with the production CSP (stands in for parley://app). */
  readonly appUrl: string
  readonly host: HostService
  /** The real settings.json main writes (in a temp userData dir), for tests to read from disk. */
  readonly settingsFile: string
  /** Native notifications the app asked for (there is no OS to show them here). */
  readonly notifications: { title: string; body: string }[]
  /**
   * What main's LAN discovery hears. This process is not in a private network namespace, so it
   * must not multicast: the test feeds the discovery service's own seam instead of mDNS.
   */
  readonly lan: ScriptedDiscovery
  /** Makes `page` one of the app's windows: window.parley works there once the preload is added. */
  attach(page: Page): Promise<void>
  close(): Promise<void>
}

async function serveRenderer(rootDir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  // The same handler as parley://app/, answering for this loopback host instead.
  const handle = createAppProtocolHandler({
    rootDir,
    csp: contentSecurityPolicy(),
    host: `127.0.0.1:${port}`
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const request = new Request(`http://${req.headers.host}${req.url ?? '/'}`, { method: req.method })
    void handle(request).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
  })
  return { server, origin: `http://127.0.0.1:${port}` }
}

export interface HarnessOptions {
  /** Written as settings.json before main starts, e.g. to start from a corrupt file. */
  settingsFile?: string
}

export async function startHarnessMain(
  rendererDir: string,
  options: HarnessOptions = {}
): Promise<HarnessMain> {
  const userData = mkdtempSync(join(tmpdir(), 'parley-harness-'))
  if (options.settingsFile !== undefined) writeFileSync(join(userData, 'settings.json'), options.settingsFile)
  const { server: web, origin } = await serveRenderer(rendererDir)
  const ipc = new FakeIpcMain()
  const windows = new Map<number, FakeWebContents>()
  const notifications: { title: string; body: string }[] = []

  const settingsFile = join(userData, 'settings.json')
  const settings = createSettingsStore({ file: settingsFile })
  const host = createHostService({
    createServer: createChatServer,
    dataDir: join(userData, 'hosted-server'),
    staticDir: rendererDir,
    // The harness serves the app from http://127.0.0.1:<port> instead of parley://app.
    allowOrigins: [origin],
    // "Local network" stays on loopback here (test servers never listen beyond it); 127.0.0.2
    // still reads as a LAN address to the panel, so its QR codes and join links show.
    lanHost: '127.0.0.2'
  })
  const lan = createScriptedDiscovery()
  const discovery = createDiscoveryService({ source: lan.source })
  // Chromium's certificate hook is Electron's; the harness only needs what the handlers use.
  const trust = createCertificateVerifier({
    remembered: (name) => settings.get().trustedCertificates[name],
    remember: (name, certificate) => settings.setTrustedCertificate(name, certificate),
    forget: (name) => settings.setTrustedCertificate(name, undefined),
    announced: (name) => discovery.fingerprintsFor(name),
    ownServer: () => host.ownFingerprint(),
    ask: () => Promise.resolve(false),
    explainRefusal: () => Promise.resolve(false)
  })
  const notifier = createNotifier({
    isWindowFocused: () => false,
    notificationsEnabled: () => settings.get().notifications,
    isSupported: () => true,
    show: (options) => notifications.push(options),
    setBadgeCount: () => true,
    onClick: () => undefined
  })
  const relay = createWsRelay()
  const unregister = registerHandlers(
    ipc,
    createInvokeHandlers({
      host,
      settings,
      notifier,
      relay,
      appInfo: { version: 'harness', platform: process.platform },
      discovery,
      trust
    }),
    {
      isTrustedWebContents: (id) => windows.has(id),
      isTrustedUrl: (url) => url.startsWith(`${origin}/`)
    }
  )
  const detachers: (() => void)[] = []

  return {
    appUrl: `${origin}/`,
    host,
    settingsFile,
    notifications,
    lan,
    async attach(page) {
      const contents = new FakeWebContents()
      windows.set(contents.id, contents)
      contents.send = (channel, ...args) => {
        if (page.isClosed()) return
        void page
          .evaluate(([c, p]) => (globalThis as HarnessGlobals).__parleyEmit?.(c, p), [
            channel,
            args[0]
          ] as const)
          .catch(() => undefined)
      }
      contents.isDestroyed = () => page.isClosed()
      await page.exposeBinding('__parleyInvoke', (source, channel: string, request: unknown) =>
        ipc.invoke(
          channel,
          {
            sender: { id: contents.id },
            senderFrame: { url: source.frame.url(), parent: source.frame.parentFrame() }
          },
          request
        )
      )
      detachers.push(forwardHostEvents(host, contents), forwardDiscoveryEvents(discovery, contents))
      detachers.push(forwardRelayEvents(relay, contents))
    },
    async close() {
      for (const detach of detachers) detach()
      discovery.stop()
      relay.closeAll()
      await host.stop()
      unregister()
      await new Promise<void>((resolve) => {
        web.close(() => resolve())
        web.closeAllConnections()
      })
      rmSync(userData, { recursive: true, force: true })
    }
  }
}
