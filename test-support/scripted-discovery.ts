/**
 * Test support: a LAN discovery source driven by the test instead of the network. It stands in
 * for the mDNS browser at the discovery service's own seam (`ServiceSource`), for tests that run
 * outside a private network namespace and so must not multicast.
 */
import type { FoundService, ServiceEvents, ServiceSource } from '../src/main/lan-discovery'

export interface ScriptedDiscovery {
  source: ServiceSource
  /** True between the service's start and stop (what "browsing" means for the real one). */
  readonly browsing: boolean
  /** How many times browsing was started. */
  readonly starts: number
  /** A server answers (or re-announces); ignored while not browsing, as a real browser would. */
  up(found: FoundService): void
  /** A server said goodbye. */
  down(fqdn: string): void
}

export function createScriptedDiscovery(): ScriptedDiscovery {
  let events: ServiceEvents | null = null
  let starts = 0
  return {
    source(handlers) {
      events = handlers
      starts++
      return () => {
        events = null
      }
    },
    get browsing() {
      return events !== null
    },
    get starts() {
      return starts
    },
    up: (found) => events?.up(found),
    down: (fqdn) => events?.down(fqdn)
  }
}
