/**
 * Turns what a person types in "Server address" into the WebSocket URL of a Parley server:
 * `host:port`, `ws://host:port`, `http://host:port/` all become `ws://host:port/ws`
 * (`https:`/`wss:` become `wss:`). Returns an error sentence instead of throwing.
 */
export type AddressResult =
  { ok: true; url: string } | { ok: false; code: 'invalid_address'; message: string }

const WS_PATH = '/ws'

export function normalizeServerAddress(input: string): AddressResult {
  const trimmed = input.trim()
  if (!trimmed) return invalid('Enter the server address, for example 192.168.1.20:8080.')
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
  let parsed: URL
  try {
    parsed = new URL(hasScheme ? trimmed : `ws://${trimmed}`)
  } catch {
    return invalid(`"${trimmed}" is not an address; use host:port, ws://host:port or http://host:port.`)
  }
  const scheme = parsed.protocol
  let wsScheme: 'ws:' | 'wss:'
  if (scheme === 'ws:' || scheme === 'http:') wsScheme = 'ws:'
  else if (scheme === 'wss:' || scheme === 'https:') wsScheme = 'wss:'
  else return invalid(`Parley servers speak ws:// or http://, not ${scheme}//.`)
  if (!parsed.hostname) return invalid('The address needs a host name or IP address.')
  const port = parsed.port ? `:${parsed.port}` : ''
  return { ok: true, url: `${wsScheme}//${parsed.hostname}${port}${WS_PATH}` }
}

/** The address field's text for a WebSocket URL, the inverse shown in "Recent servers". */
export function displayServerAddress(url: string): string {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'wss:' ? `wss://${parsed.host}` : parsed.host
  } catch {
    return url
  }
}

/**
 * The certificate fingerprint a join link carries (`https://host:port/#fp=<sha-256 hex>`, as
 * the host panel's QR code and link give it), lowercase hex; undefined when there is none.
 */
export function joinLinkFingerprint(input: string): string | undefined {
  const hash = input.trim().split('#')[1]
  if (!hash) return undefined
  const value = new URLSearchParams(hash).get('fp')
  const hex = value?.replace(/:/g, '').toLowerCase()
  return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : undefined
}

function invalid(message: string): AddressResult {
  return { ok: false, code: 'invalid_address', message }
}
