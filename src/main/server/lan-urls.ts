import { networkInterfaces } from 'node:os'

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', ''])

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}

/**
 * Every ws:// (or, with TLS, wss://) URL a server bound to `host:port` can be reached at. A wildcard bind lists
 * localhost first and then each IPv4 interface address (the LAN URLs people share); IPv6
 * link-local addresses are left out because they need a zone id no browser accepts in a URL.
 */
export function lanUrls(port: number, host: string, scheme: 'ws' | 'wss' = 'ws'): string[] {
  if (!WILDCARD_HOSTS.has(host)) return [`${scheme}://${formatHost(host)}:${port}/ws`]
  const urls = [`${scheme}://localhost:${port}/ws`]
  const wantsIpv6 = host === '::'
  for (const addresses of Object.values(networkInterfaces())) {
    for (const info of addresses ?? []) {
      if (info.internal) continue
      if (info.family === 'IPv4' || (wantsIpv6 && !info.address.startsWith('fe80'))) {
        urls.push(`${scheme}://${formatHost(info.address)}:${port}/ws`)
      }
    }
  }
  return urls
}
