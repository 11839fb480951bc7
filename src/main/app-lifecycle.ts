/**
 * How the app answers its own lifecycle: a second launch brings the window forward, quitting
 * while hosting stops the server the way "Stop server" does (1001 to every client) before the app
 * goes, LAN discovery stops with the app, and closing the last window quits except on macOS.
 */
import type { App } from 'electron'
import type { Logger } from 'pino'
import type { HostService } from './host-service'
import type { DiscoveryService } from './lan-discovery'

export interface AppLifecycleDeps {
  platform: NodeJS.Platform
  host: Pick<HostService, 'isHosting' | 'stop'>
  discovery: Pick<DiscoveryService, 'stop'>
  logger: Logger
  /** A second launch handed over to this one. */
  focusWindow(): void
}

/** Returns the function that removes the listeners. */
export function bindAppLifecycle(
  app: Pick<App, 'on' | 'removeListener' | 'quit'>,
  deps: AppLifecycleDeps
): () => void {
  const { host, logger } = deps
  const onSecondInstance = () => deps.focusWindow()
  const onWillQuit = () => deps.discovery.stop()
  let stoppingForQuit = false
  const onBeforeQuit = (event: Electron.Event) => {
    if (!host.isHosting || stoppingForQuit) return
    event.preventDefault()
    stoppingForQuit = true
    host
      .stop()
      .catch((error: unknown) => logger.error({ err: error }, 'stopping the hosted server on quit failed'))
      .finally(() => app.quit())
  }
  const onAllClosed = () => {
    if (deps.platform !== 'darwin') app.quit()
  }
  app.on('second-instance', onSecondInstance)
  app.on('will-quit', onWillQuit)
  app.on('before-quit', onBeforeQuit)
  app.on('window-all-closed', onAllClosed)
  return () => {
    app.removeListener('second-instance', onSecondInstance)
    app.removeListener('will-quit', onWillQuit)
    app.removeListener('before-quit', onBeforeQuit)
    app.removeListener('window-all-closed', onAllClosed)
  }
}
