/**
 * The handler for every invoke channel of the contract, composed from the services. Electron's
 * bootstrap (index.ts) and the e2e bridge harness register this very object.
 */
import type { InvokeHandlers } from './ipc-router'
import type { HostService } from './host-service'
import type { SettingsStore } from './settings-store'
import type { Notifier } from './notifier'
import type { DiscoveryService } from './lan-discovery'
import type { CertificateVerifier } from './certificate-trust'
import type { WsRelay } from './ws-relay'

export interface AppInfo {
  version: string
  platform: string
  electron?: string
}

export interface HandlerServices {
  host: HostService
  settings: SettingsStore
  notifier: Notifier
  relay: WsRelay
  appInfo: AppInfo
  discovery: DiscoveryService
  trust: Pick<CertificateVerifier, 'expect' | 'isRemembered'>
  logger?: { warn(details: object, message: string): void }
}

export function createInvokeHandlers(services: HandlerServices): InvokeHandlers {
  const { host, settings, notifier, relay } = services
  return {
    'host:start': async (options) => {
      const status = await host.start(options)
      // Remember the choices for next time, but never the password.
      const { password: _password, ...lastHost } = options
      try {
        settings.update({ lastHost })
      } catch (error) {
        // The server is up; failing to remember the form must not report the start as failed.
        services.logger?.warn({ err: error }, 'last host options not saved')
      }
      return status
    },
    'host:stop': () => host.stop(),
    'host:status': () => host.status(),
    'host:list-connections': () => host.connections(),
    'host:inject-fault': ({ connectionId, fault }) => host.injectFault(connectionId, fault),
    'host:clear-faults': ({ connectionId }) => host.clearFaults(connectionId),
    'relay:open': (request) => relay.open(request),
    'relay:send': ({ id, payload }) => relay.send(id, payload),
    'relay:close': ({ id, code, reason }) => relay.close(id, code, reason),
    'settings:get': () => ({ settings: settings.get(), problem: settings.problem }),
    'settings:set': (patch) => settings.update(patch),
    'app:notify': (request) => notifier.notify(request),
    'app:set-badge': ({ count }) => notifier.setBadge(count),
    'app:info': () => services.appInfo,
    'discovery:start': () => services.discovery.start(),
    'discovery:stop': () => {
      services.discovery.stop()
      return { browsing: false }
    },
    'trust:expect': ({ host, fingerprint }) => {
      services.trust.expect(host, fingerprint)
      return { remembered: services.trust.isRemembered(host) }
    }
  }
}
