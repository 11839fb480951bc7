/**
 * The app's composition: Electron's app, windows, sessions and protocol wired to the services
 * (app-services.ts) and the IPC handlers. Electron itself comes in as a parameter, so
 * app-bootstrap.test.ts runs this very code under Node against a fake of Electron; index.ts
 * passes the real one. The window is main-window.ts, the quit and relaunch rules
 * app-lifecycle.ts; this module is the order of startup around Electron's 'ready'.
 */
import { join } from 'node:path'
import type { BrowserWindow } from 'electron'
import type { Logger } from 'pino'
import type { ChatServer, ChatServerOptions } from './server/index'
import { createAppProtocolHandler } from './app-protocol'
import { bindAppLifecycle } from './app-lifecycle'
import { createAppServices, type AppServices } from './app-services'
import type { CertificateVerifier } from './certificate-trust'
import type { ElectronModules } from './electron-modules'
import type { HostService } from './host-service'
import { forwardDiscoveryEvents, forwardHostEvents } from './host-events'
import type { ServiceSource } from './lan-discovery'
import { forwardRelayEvents } from './ws-relay'
import { createInvokeHandlers } from './invoke-handlers'
import type { InvokeHandlers, SenderPolicy } from './ipc-router'
import { openMainWindow, showWindow } from './main-window'
import {
  APP_ORIGIN,
  APP_SCHEME,
  contentSecurityPolicy,
  createTrustedUrlCheck,
  hardenSession,
  hardenWebContents
} from './security'
import type { SettingsStore } from './settings-store'

export interface BootstrapOptions {
  electron: ElectronModules
  /** Binds the handlers to ipcMain (src/main/ipc-main.ts); returns the function that removes them. */
  registerIpc: (handlers: InvokeHandlers, policy: SenderPolicy, logger?: Logger) => () => void
  createServer: (options: ChatServerOptions) => ChatServer
  /** The build output: out/ with main/, preload/ and renderer/. */
  outDir: string
  env: Record<string, string | undefined>
  logger: Logger
  platform?: NodeJS.Platform
  /** Where LAN discovery gets its mDNS answers; default bonjour-service (none when PARLEY_NO_MDNS is set). */
  discoverySource?: ServiceSource
}

export interface RunningApp {
  /** Resolves once the first window was created (never, for a second instance). */
  ready: Promise<void>
  readonly isPrimaryInstance: boolean
  readonly host?: HostService
  readonly settings?: SettingsStore
}

export function startApp(options: BootstrapOptions): RunningApp {
  const { electron, logger, env } = options
  const { app } = electron
  const platform = options.platform ?? process.platform
  const devServerUrl = !app.isPackaged ? env.ELECTRON_RENDERER_URL : undefined
  const isTrustedUrl = createTrustedUrlCheck(devServerUrl)
  const csp = contentSecurityPolicy({
    devServerOrigin: devServerUrl ? new URL(devServerUrl).origin : undefined
  })

  // Single instance: a second launch hands over to the first (which focuses its window) and exits.
  if (!beforeReady(electron, env)) {
    app.quit()
    return { ready: new Promise(() => undefined), isPrimaryInstance: false }
  }

  let mainWindow: BrowserWindow | null = null
  const services = createAppServices({
    electron,
    createServer: options.createServer,
    outDir: options.outDir,
    userData: app.getPath('userData'),
    devServerUrl,
    mdnsAllowed: !env.PARLEY_NO_MDNS,
    discoverySource: options.discoverySource,
    logger,
    window: () => mainWindow,
    showWindow
  })
  const { settings, host, discovery, relay } = services
  registerAppIpc(options, services, platform, () => mainWindow, isTrustedUrl)

  // Every webContents, including any the page might try to spawn, gets the navigation rules.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      isTrustedUrl,
      openExternal: (url) => void electron.shell.openExternal(url)
    })
  })
  bindAppLifecycle(app, {
    platform,
    host,
    discovery,
    logger,
    focusWindow: () => {
      if (mainWindow) showWindow(mainWindow)
    }
  })

  const createMainWindow = () =>
    openMainWindow({
      BrowserWindow: electron.BrowserWindow,
      screen: electron.screen,
      settings,
      preloadPath: join(options.outDir, 'preload', 'index.cjs'),
      url: devServerUrl ?? `${APP_ORIGIN}/`,
      logger,
      forwardEvents: (contents) => {
        const stops = [
          forwardHostEvents(host, contents),
          forwardDiscoveryEvents(discovery, contents),
          forwardRelayEvents(relay, contents)
        ]
        return () => {
          for (const stop of stops) stop()
        }
      },
      onClosed: (window) => {
        // The page that drove them is gone: nobody would see their frames.
        relay.closeAll()
        if (mainWindow === window) mainWindow = null
      }
    })

  const ready = app.whenReady().then(() => {
    prepareSession(electron, {
      outDir: options.outDir,
      csp,
      isTrustedUrl,
      certificates: services.certificates
    })
    mainWindow = createMainWindow()
    app.on('activate', () => {
      if (electron.BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow()
    })
  })
  ready.catch((error: unknown) => {
    logger.fatal({ err: error }, 'startup failed')
    app.exit(1)
  })

  return { ready, isPrimaryInstance: true, host, settings }
}

/** What must precede Electron's 'ready'; false when another instance holds the lock. */
function beforeReady(
  electron: Pick<ElectronModules, 'app' | 'protocol'>,
  env: BootstrapOptions['env']
): boolean {
  const { app } = electron
  // Tests and portable setups point the app at their own profile; must precede the instance
  // lock, which is held per user data directory.
  if (env.PARLEY_USER_DATA_DIR) app.setPath('userData', env.PARLEY_USER_DATA_DIR)
  // A standard + secure scheme gets a real origin, fetch, and secure-context APIs; corsEnabled
  // because Vite's module scripts load in CORS mode.
  electron.protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
    }
  ])
  return app.requestSingleInstanceLock()
}

/** What must be in place before the first page loads: parley:// itself, and the session's rules. */
function prepareSession(
  electron: Pick<ElectronModules, 'protocol' | 'session'>,
  deps: {
    outDir: string
    csp: string
    isTrustedUrl: SenderPolicy['isTrustedUrl']
    certificates: CertificateVerifier
  }
): void {
  const { csp, isTrustedUrl } = deps
  electron.protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ rootDir: join(deps.outDir, 'renderer'), csp })
  )
  hardenSession(electron.session.defaultSession, { isTrustedUrl, csp })
  // Self-signed chat servers are trusted by pinned fingerprint (certificate-trust.ts); a
  // certificate a CA vouches for keeps Chromium's own verdict.
  electron.session.defaultSession.setCertificateVerifyProc((request, callback) =>
    deps.certificates.verify(request, callback)
  )
}

/** The IPC handlers over the services, answering only the main window's own page. */
function registerAppIpc(
  options: BootstrapOptions,
  services: AppServices,
  platform: NodeJS.Platform,
  window: () => BrowserWindow | null,
  isTrustedUrl: SenderPolicy['isTrustedUrl']
): void {
  const { app } = options.electron
  options.registerIpc(
    createInvokeHandlers({
      host: services.host,
      settings: services.settings,
      notifier: services.notifier,
      relay: services.relay,
      appInfo: { version: app.getVersion(), platform, electron: process.versions.electron },
      discovery: services.discovery,
      trust: services.certificates,
      logger: options.logger
    }),
    {
      isTrustedWebContents: (id) => {
        const mainWindow = window()
        return mainWindow !== null && !mainWindow.isDestroyed() && mainWindow.webContents.id === id
      },
      isTrustedUrl
    },
    options.logger
  )
}
