/**
 * The services behind the app's IPC handlers, each wired to the Electron parts it shows itself
 * through: settings, the hosted server, LAN discovery, certificate pinning with its prompts,
 * notifications with the badge, and the WebSocket relay.
 */
import { join } from 'node:path'
import type { BrowserWindow } from 'electron'
import type { Logger } from 'pino'
import type { ChatServer, ChatServerOptions } from './server/index'
import { createCertificatePrompts } from './certificate-prompts'
import { createCertificateVerifier, type CertificateVerifier } from './certificate-trust'
import type { ElectronModules } from './electron-modules'
import { createHostService, type HostService } from './host-service'
import { send } from './ipc-router'
import {
  bonjourSource,
  createDiscoveryService,
  type DiscoveryService,
  type ServiceSource
} from './lan-discovery'
import { createNotifier, type Notifier } from './notifier'
import { createSettingsStore, type SettingsStore } from './settings-store'
import { createWsRelay, type WsRelay } from './ws-relay'

export interface AppServicesDeps {
  electron: Pick<ElectronModules, 'app' | 'Notification' | 'dialog'>
  createServer: (options: ChatServerOptions) => ChatServer
  /** The build output: out/ with main/, preload/ and renderer/. */
  outDir: string
  userData: string
  /** The dev server the renderer comes from in a development build, if any. */
  devServerUrl: string | undefined
  /** PARLEY_NO_MDNS: tests and locked-down networks run the app without sending any multicast. */
  mdnsAllowed: boolean
  discoverySource: ServiceSource | undefined
  logger: Logger
  /** The main window, while there is one. */
  window(): BrowserWindow | null
  showWindow(window: BrowserWindow): void
}

export interface AppServices {
  settings: SettingsStore
  host: HostService
  discovery: DiscoveryService
  certificates: CertificateVerifier
  notifier: Notifier
  relay: WsRelay
}

export function createAppServices(deps: AppServicesDeps): AppServices {
  const { electron, logger, devServerUrl } = deps
  const settings = createSettingsStore({ file: join(deps.userData, 'settings.json'), logger })
  const host = createHostService({
    createServer: deps.createServer,
    dataDir: join(deps.userData, 'hosted-server'),
    staticDir: join(deps.outDir, 'renderer'),
    // Only a development build (unpackaged, run by electron-vite dev) loads its renderer from
    // the dev server, so only then may that page talk to the server it hosts.
    allowOrigins: devServerUrl ? [new URL(devServerUrl).origin] : undefined,
    logger: logger.child({ component: 'host' }),
    allowMdns: deps.mdnsAllowed
  })
  const discovery = createDiscoveryService({
    source:
      deps.discoverySource ??
      (deps.mdnsAllowed
        ? bonjourSource((error) => logger.warn({ err: error.message }, 'LAN discovery failed'))
        : () => () => undefined)
  })
  const certificates = createCertificateVerifier({
    remembered: (hostname) => settings.get().trustedCertificates[hostname],
    remember: (hostname, certificate) => settings.setTrustedCertificate(hostname, certificate),
    forget: (hostname) => settings.setTrustedCertificate(hostname, undefined),
    announced: (hostname) => discovery.fingerprintsFor(hostname),
    ownServer: () => host.ownFingerprint(),
    ...createCertificatePrompts(electron.dialog, deps.window),
    logger: logger.child({ component: 'certificates' })
  })
  const notifier = createNotifier({
    isWindowFocused: () => deps.window()?.isFocused() ?? false,
    notificationsEnabled: () => settings.get().notifications,
    isSupported: () => electron.Notification.isSupported(),
    show(content, onClick) {
      const notification = new electron.Notification({ title: content.title, body: content.body })
      notification.on('click', onClick)
      notification.show()
    },
    setBadgeCount: (count) => electron.app.setBadgeCount(count),
    flashFrame: (flash) => deps.window()?.flashFrame(flash),
    onClick(target) {
      const window = deps.window()
      if (!window) return
      deps.showWindow(window)
      send(window.webContents, 'app:notification-clicked', target)
    }
  })
  return { settings, host, discovery, certificates, notifier, relay: createWsRelay() }
}
