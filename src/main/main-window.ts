/**
 * The app's one window: placed where it last was (on a display that still exists), hardened web
 * preferences with the bundled preload, shown once painted, its bounds saved as it closes, and
 * the app's events forwarded to its page while it is open.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Screen, WebContents } from 'electron'
import type { Logger } from 'pino'
import { secureWebPreferences } from './security'
import type { SettingsStore } from './settings-store'
import { restoreBounds } from './window-bounds'

export interface MainWindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow
  screen: Pick<Screen, 'getAllDisplays'>
  settings: SettingsStore
  preloadPath: string
  url: string
  logger: Logger
  /** Sends the app's events to the window's page; returns the function that stops them. */
  forwardEvents(contents: WebContents): () => void
  /** The window is gone (its forwarding already stopped). */
  onClosed(window: BrowserWindow): void
}

export function openMainWindow(deps: MainWindowDeps): BrowserWindow {
  const { settings, logger } = deps
  const bounds = restoreBounds(
    settings.get().windowBounds,
    deps.screen.getAllDisplays().map((display) => display.workArea)
  )
  const window = new deps.BrowserWindow({
    x: bounds.x,
    y: bounds.y,
    width: bounds.width,
    height: bounds.height,
    minWidth: 480,
    minHeight: 360,
    show: false,
    title: 'Parley',
    backgroundColor: '#1b1d23',
    webPreferences: secureWebPreferences(deps.preloadPath)
  })
  if (bounds.maximized) window.maximize()
  window.once('ready-to-show', () => window.show())

  const stopForwarding = deps.forwardEvents(window.webContents)
  window.on('close', () => {
    try {
      settings.setWindowBounds({ ...window.getNormalBounds(), maximized: window.isMaximized() })
    } catch (error) {
      logger.warn({ err: error }, 'window bounds not saved')
    }
  })
  window.on('closed', () => {
    stopForwarding()
    deps.onClosed(window)
  })

  void window.loadURL(deps.url)
  return window
}

export function showWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}
