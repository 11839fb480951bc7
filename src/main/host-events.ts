/**
 * Forwards the host service's status and connection snapshots to a window as contract events.
 * Used by the Electron bootstrap and the e2e bridge harness alike.
 */
import type { HostService } from './host-service'
import { send, type WebContentsLike } from './ipc-router'
import type { DiscoveryService } from './lan-discovery'

/** Servers found on the LAN, to a window, while it is open. */
export function forwardDiscoveryEvents(discovery: DiscoveryService, target: WebContentsLike): () => void {
  return discovery.onServers((servers) => send(target, 'discovery:servers', servers))
}

export function forwardHostEvents(host: HostService, target: WebContentsLike): () => void {
  const offStatus = host.onStatusChanged((status) => send(target, 'host:status-changed', status))
  const offConnections = host.onConnections((rows) => send(target, 'host:connections', rows))
  return () => {
    offStatus()
    offConnections()
  }
}
