/**
 * The app's composition: Electron's app, windows, sessions and protocol wired to the services
 * (host, settings, notifier) and the IPC handlers. Electron itself comes in as a parameter, so
 * app-bootstrap.test.ts runs this very code under Node against a fake of Electron; index.ts
 * passes the real one.
 */
import { join } from 'node:path'
import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Dialog,
  Notification,
  NotificationConstructorOptions,
  Protocol,
  Screen,
  Session,
  Shell
} from 'electron'
import type { Logger } from 'pino'
import type { ChatServer, ChatServerOptions } from './server/index'
import { createAppProtocolHandler } from './app-protocol'
import { createCertificateVerifier } from './certificate-trust'
import { createHostService, type HostService } from './host-service'
import { forwardDiscoveryEvents, forwardHostEvents } from './host-events'
import { bonjourSource, createDiscoveryService, type ServiceSource } from './lan-discovery'
import { createWsRelay, forwardRelayEvents } from './ws-relay'
import { createInvokeHandlers } from './invoke-handlers'
import { send, type InvokeHandlers, type SenderPolicy } from './ipc-router'
import { createNotifier } from './notifier'
import {
  APP_ORIGIN,
  APP_SCHEME,
  contentSecurityPolicy,
  createTrustedUrlCheck,
  hardenSession,
  hardenWebContents,
  secureWebPreferences
} from './security'
import { createSettingsStore, type SettingsStore } from './settings-store'
import { restoreBounds } from './window-bounds'

/** The parts of Electron the app uses. */
export interface ElectronModules {
  app: Pick<
    App,
    | 'on'
    | 'quit'
    | 'exit'
    | 'whenReady'
    | 'requestSingleInstanceLock'
    | 'getPath'
    | 'setPath'
    | 'getVersion'
    | 'setBadgeCount'
    | 'isPackaged'
  >
  BrowserWindow: {
    new (options: BrowserWindowConstructorOptions): BrowserWindow
    getAllWindows(): BrowserWindow[]
  }
  Notification: { new (options: NotificationConstructorOptions): Notification; isSupported(): boolean }
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>
  screen: Pick<Screen, 'getAllDisplays'>
  session: { readonly defaultSession: Session }
  shell: Pick<Shell, 'openExternal'>
  dialog: Pick<Dialog, 'showMessageBox'>
}

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

  // Tests and portable setups point the app at their own profile; must precede the instance
  // lock, which is held per user data directory.
  if (env.PARLEY_USER_DATA_DIR) app.setPath('userData', env.PARLEY_USER_DATA_DIR)

  // Must run before 'ready': a standard + secure scheme gets a real origin, fetch, and
  // secure-context APIs; corsEnabled because Vite's module scripts load in CORS mode.
  electron.protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
    }
  ])

  // Single instance: a second launch hands over to the first (which focuses its window) and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return { ready: new Promise(() => undefined), isPrimaryInstance: false }
  }

  let mainWindow: BrowserWindow | null = null
  const userData = app.getPath('userData')
  const settings = createSettingsStore({ file: join(userData, 'settings.json'), logger })
  // PARLEY_NO_MDNS: tests and locked-down networks run the app without sending any multicast.
  const mdnsAllowed = !env.PARLEY_NO_MDNS
  const host = createHostService({
    createServer: options.createServer,
    dataDir: join(userData, 'hosted-server'),
    staticDir: join(options.outDir, 'renderer'),
    // Only a development build (unpackaged, run by electron-vite dev) loads its renderer from
    // the dev server, so only then may that page talk to the server it hosts.
    allowOrigins: devServerUrl ? [new URL(devServerUrl).origin] : undefined,
    logger: logger.child({ component: 'host' }),
    allowMdns: mdnsAllowed
  })
  const discovery = createDiscoveryService({
    source:
      options.discoverySource ??
      (mdnsAllowed
        ? bonjourSource((error) => logger.warn({ err: error.message }, 'LAN discovery failed'))
        : () => () => undefined)
  })
  const certificates = createCertificateVerifier({
    remembered: (hostname) => settings.get().trustedCertificates[hostname],
    remember: (hostname, certificate) => settings.setTrustedCertificate(hostname, certificate),
    forget: (hostname) => settings.setTrustedCertificate(hostname, undefined),
    announced: (hostname) => discovery.fingerprintsFor(hostname),
    ownServer: () => host.ownFingerprint(),
    async ask(hostname, message) {
      const options = {
        type: 'question' as const,
        title: 'Trust this server?',
        message: `Trust the certificate of ${hostname}?`,
        detail: message,
        buttons: ['Cancel', 'Trust and connect'],
        defaultId: 0,
        cancelId: 0
      }
      const answer = mainWindow
        ? await electron.dialog.showMessageBox(mainWindow, options)
        : await electron.dialog.showMessageBox(options)
      return answer.response === 1
    },
    async explainRefusal(hostname, message) {
      const options = {
        type: 'warning' as const,
        title: 'Certificate changed',
        message: `Parley refused to connect to ${hostname}.`,
        detail: message,
        buttons: ['OK', 'Forget the remembered certificate'],
        defaultId: 0,
        cancelId: 0
      }
      const answer = mainWindow
        ? await electron.dialog.showMessageBox(mainWindow, options)
        : await electron.dialog.showMessageBox(options)
      return answer.response === 1
    },
    logger: logger.child({ component: 'certificates' })
  })
  const notifier = createNotifier({
    isWindowFocused: () => mainWindow?.isFocused() ?? false,
    notificationsEnabled: () => settings.get().notifications,
    isSupported: () => electron.Notification.isSupported(),
    show(content, onClick) {
      const notification = new electron.Notification({ title: content.title, body: content.body })
      notification.on('click', onClick)
      notification.show()
    },
    setBadgeCount: (count) => app.setBadgeCount(count),
    flashFrame: (flash) => mainWindow?.flashFrame(flash),
    onClick(target) {
      if (!mainWindow) return
      showWindow(mainWindow)
      send(mainWindow.webContents, 'app:notification-clicked', target)
    }
  })

  const relay = createWsRelay()
  options.registerIpc(
    createInvokeHandlers({
      host,
      settings,
      notifier,
      relay,
      appInfo: { version: app.getVersion(), platform, electron: process.versions.electron },
      discovery,
      trust: certificates,
      logger
    }),
    {
      isTrustedWebContents: (id) =>
        mainWindow !== null && !mainWindow.isDestroyed() && mainWindow.webContents.id === id,
      isTrustedUrl
    },
    logger
  )

  // Every webContents, including any the page might try to spawn, gets the navigation rules.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      isTrustedUrl,
      openExternal: (url) => void electron.shell.openExternal(url)
    })
  })

  app.on('second-instance', () => {
    if (mainWindow) showWindow(mainWindow)
  })

  app.on('will-quit', () => discovery.stop())

  // Quitting while hosting stops the server the same way as "Stop server": 1001 to every client.
  let stoppingForQuit = false
  app.on('before-quit', (event) => {
    if (!host.isHosting || stoppingForQuit) return
    event.preventDefault()
    stoppingForQuit = true
    host
      .stop()
      .catch((error: unknown) => logger.error({ err: error }, 'stopping the hosted server on quit failed'))
      .finally(() => app.quit())
  })

  app.on('window-all-closed', () => {
    if (platform !== 'darwin') app.quit()
  })

  function createMainWindow(): BrowserWindow {
    const bounds = restoreBounds(
      settings.get().windowBounds,
      electron.screen.getAllDisplays().map((display) => display.workArea)
    )
    const window = new electron.BrowserWindow({
      x: bounds.x,
      y: bounds.y,
      width: bounds.width,
      height: bounds.height,
      minWidth: 480,
      minHeight: 360,
      show: false,
      title: 'Parley',
      backgroundColor: '#1b1d23',
      webPreferences: secureWebPreferences(join(options.outDir, 'preload', 'index.cjs'))
    })
    if (bounds.maximized) window.maximize()
    window.once('ready-to-show', () => window.show())

    const stopHostEvents = forwardHostEvents(host, window.webContents)
    const stopDiscoveryEvents = forwardDiscoveryEvents(discovery, window.webContents)
    const stopRelayEvents = forwardRelayEvents(relay, window.webContents)
    const stopForwarding = () => {
      stopHostEvents()
      stopDiscoveryEvents()
      stopRelayEvents()
    }
    window.on('close', () => {
      try {
        settings.setWindowBounds({ ...window.getNormalBounds(), maximized: window.isMaximized() })
      } catch (error) {
        logger.warn({ err: error }, 'window bounds not saved')
      }
    })
    window.on('closed', () => {
      stopForwarding()
      // The page that drove them is gone: nobody would see their frames.
      relay.closeAll()
      if (mainWindow === window) mainWindow = null
    })

    void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/`)
    return window
  }

  const ready = app.whenReady().then(() => {
    electron.protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler({ rootDir: join(options.outDir, 'renderer'), csp })
    )
    hardenSession(electron.session.defaultSession, { isTrustedUrl, csp })
    // Self-signed chat servers are trusted by pinned fingerprint (certificate-trust.ts); a
    // certificate a CA vouches for keeps Chromium's own verdict.
    electron.session.defaultSession.setCertificateVerifyProc((request, callback) =>
      certificates.verify(request, callback)
    )
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

function showWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}
