/**
 * "On your network": Parley servers main finds over mDNS, listed live while the connect screen
 * is open; a click fills the address. Desktop only: a web page cannot browse mDNS, so in the web
 * client (no window.parley) this renders nothing.
 */
import { useEffect, useState } from 'react'
import type { DiscoveredServer, ParleyApi } from '../../../shared/ipc'

type Listing = { state: 'browsing'; servers: DiscoveredServer[] } | { state: 'failed'; message: string }

/** Browses while mounted; the returned list follows main's `discovery:servers` events. */
function useLanServers(api: ParleyApi): Listing {
  const [listing, setListing] = useState<Listing>({ state: 'browsing', servers: [] })
  useEffect(() => {
    let active = true
    const off = api.discovery.onServers((servers) => active && setListing({ state: 'browsing', servers }))
    api.discovery.start().then(
      (servers) => active && setListing({ state: 'browsing', servers }),
      (error: unknown) => active && setListing({ state: 'failed', message: (error as Error).message })
    )
    return () => {
      active = false
      off()
      void api.discovery.stop().catch(() => undefined)
    }
  }, [api])
  return listing
}

function LanServerList({ api, onPick }: { api: ParleyApi; onPick: (server: DiscoveredServer) => void }) {
  const listing = useLanServers(api)
  return (
    <section aria-labelledby="lan-servers-heading" className="recent lan-servers">
      <h2 id="lan-servers-heading">On your network</h2>
      {listing.state === 'failed' ? (
        <p className="muted">Cannot look for servers: {listing.message}</p>
      ) : listing.servers.length === 0 ? (
        <p className="muted" aria-live="polite">
          Looking for servers…
        </p>
      ) : (
        <ul aria-live="polite">
          {listing.servers.map((server) => (
            <li key={server.id}>
              <button
                type="button"
                className="lan-server"
                onClick={() => onPick(server)}
                aria-label={`Use ${server.name} at ${server.host}:${server.port}${server.tls ? ', encrypted' : ''}${server.passwordRequired ? ', password required' : ''}`}
              >
                <span className="lan-server-name">{server.name}</span>
                <span className="lan-server-address">
                  {server.host}:{server.port}
                </span>
                <span className="lan-server-badges">
                  {server.tls ? (
                    <span className="lan-badge lan-badge-tls" title="Encrypted (TLS)">
                      TLS
                    </span>
                  ) : (
                    <span className="lan-badge lan-badge-plain" title="Not encrypted">
                      no TLS
                    </span>
                  )}
                  {server.passwordRequired && (
                    <span className="lan-badge" title="Needs a password">
                      password
                    </span>
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function LanServers({ onPick }: { onPick: (server: DiscoveredServer) => void }) {
  const api = typeof window !== 'undefined' ? window.parley : undefined
  return api ? <LanServerList api={api} onPick={onPick} /> : null
}
