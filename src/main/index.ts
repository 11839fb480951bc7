/**
 * Electron main: the one place that touches Electron's app, windows and sessions, and composes
 * the services (host, settings, notifier) with them. Everything with logic lives in modules that
 * take their Electron objects as parameters and are tested under Node; this file stays glue.
 */
import { join } from 'node:path'
import { BrowserWindow, Notification, app, protocol, screen, session, shell } from 'electron'
import { pino } from 'pino'
import { createChatServer } from './server/index'
import { createAppProtocolHandler } from './app-protocol'
import { createHostService } from './host-service'
import { forwardHostEvents } from './host-events'
import { createInvokeHandlers } from './invoke-handlers'
import { registerIpcHandlers, send } from './ipc-main'
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
import { createSettingsStore } from './settings-store'
import { restoreBounds } from './window-bounds'

const logger = pino({ level: process.env.PARLEY_LOG_LEVEL ?? 'info' })
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const outDir = join(import.meta.dirname, '..')
const isTrustedUrl = createTrustedUrlCheck(devServerUrl)
const csp = contentSecurityPolicy({
  devServerOrigin: devServerUrl ? new URL(devServerUrl).origin : undefined
})

// Tests and portable setups point the app at their own profile; must precede the instance lock,
// which is held per user data directory.
if (process.env.PARLEY_USER_DATA_DIR) app.setPath('userData', process.env.PARLEY_USER_DATA_DIR)

// Must run before 'ready': a standard + secure scheme gets a real origin, fetch, and secure-context APIs.
protocol.registerSchemesAsPrivileged([
  // corsEnabled: Vite's module scripts load with `crossorigin`, i.e. in CORS mode.
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true }
  }
])

// Single instance: a second launch focuses the first window and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  main()
}

function main(): void {
  let mainWindow: BrowserWindow | null = null

  const settings = createSettingsStore({ file: join(app.getPath('userData'), 'settings.json'), logger })
  const host = createHostService({
    createServer: createChatServer,
    dataDir: join(app.getPath('userData'), 'hosted-server'),
    staticDir: join(outDir, 'renderer'),
    logger: logger.child({ component: 'host' })
  })
  const notifier = createNotifier({
    isWindowFocused: () => mainWindow?.isFocused() ?? false,
    notificationsEnabled: () => settings.get().notifications,
    isSupported: () => Notification.isSupported(),
    show(options, onClick) {
      const notification = new Notification({ title: options.title, body: options.body })
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

  registerIpcHandlers(
    createInvokeHandlers({
      host,
      settings,
      notifier,
      appInfo: { version: app.getVersion(), platform: process.platform, electron: process.versions.electron }
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
    hardenWebContents(contents, { isTrustedUrl, openExternal: (url) => void shell.openExternal(url) })
  })

  app.on('second-instance', () => {
    if (mainWindow) showWindow(mainWindow)
  })

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
    if (process.platform !== 'darwin') app.quit()
  })

  app
    .whenReady()
    .then(() => {
      protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: join(outDir, 'renderer'), csp }))
      hardenSession(session.defaultSession, { isTrustedUrl, csp })
      mainWindow = createMainWindow()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow()
      })
    })
    .catch((error: unknown) => {
      logger.fatal({ err: error }, 'startup failed')
      app.exit(1)
    })

  function createMainWindow(): BrowserWindow {
    const bounds = restoreBounds(
      settings.get().windowBounds,
      screen.getAllDisplays().map((display) => display.workArea)
    )
    const window = new BrowserWindow({
      x: bounds.x,
      y: bounds.y,
      width: bounds.width,
      height: bounds.height,
      minWidth: 480,
      minHeight: 360,
      show: false,
      title: 'Parley',
      backgroundColor: '#1b1d23',
      webPreferences: secureWebPreferences(join(outDir, 'preload', 'index.cjs'))
    })
    if (bounds.maximized) window.maximize()
    window.once('ready-to-show', () => window.show())

    const stopForwarding = forwardHostEvents(host, window.webContents)
    window.on('close', () => {
      const normal = window.getNormalBounds()
      try {
        settings.setWindowBounds({ ...normal, maximized: window.isMaximized() })
      } catch (error) {
        logger.warn({ err: error }, 'window bounds not saved')
      }
    })
    window.on('closed', () => {
      stopForwarding()
      if (mainWindow === window) mainWindow = null
    })

    void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/`)
    return window
  }
}

function showWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}
