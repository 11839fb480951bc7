/**
 * Trusting a self-signed chat server the way SSH trusts a host: by the SHA-256 fingerprint of
 * its certificate, remembered per host on first use. A certificate no CA vouches for is accepted
 * when it matches what we already know (remembered, announced over mDNS, carried by the join
 * link, or our own hosted server); a new one is shown to the person to decide; a remembered host
 * that presents another one is refused with an explanation, never silently.
 *
 * Plain Node (no Electron): app-bootstrap.ts hands `verify` to Electron's
 * session.setCertificateVerifyProc and supplies the dialogs.
 */
import { X509Certificate } from 'node:crypto'
import type { TrustedCertificate } from '../shared/ipc'

export type TrustVia = TrustedCertificate['via']

export interface TrustInput {
  /** The hostname the connection was made to (an IP literal or a name). */
  host: string
  /** What the server presented: SHA-256 of the certificate, lowercase hex. */
  fingerprint: string
  remembered?: TrustedCertificate
  /** Fingerprints announced for this host in mDNS TXT `fp`. */
  announced: readonly string[]
  /** Fingerprints a join link for this host carried (`#fp=`). */
  fromJoinLink: readonly string[]
  /** The certificate of the server this app hosts, while it runs with TLS. */
  ownServer?: string
}

export type TrustVerdict =
  /** Connect. `remember` says to pin it now (first use) and why it was trusted. */
  | { action: 'proceed'; remember?: TrustVia }
  /** First use and nothing vouches for it: show the fingerprint and let the person decide. */
  | { action: 'ask'; message: string }
  | { action: 'refuse'; code: 'certificate_changed'; message: string }

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/** `abcd…` → `ABCD1234 …`: groups of four bytes, easier to compare by eye or read aloud. */
export function displayFingerprint(fingerprint: string): string {
  return (fingerprint.toUpperCase().match(/.{1,8}/g) ?? []).join(' ')
}

export function decideCertificateTrust(input: TrustInput): TrustVerdict {
  const { host, fingerprint, remembered } = input
  // Our own server's certificate is known first-hand, not learned from the network.
  if (input.ownServer === fingerprint && LOOPBACK.has(host.toLowerCase())) return { action: 'proceed' }
  if (remembered) {
    if (remembered.fingerprint === fingerprint) return { action: 'proceed' }
    // An announcement or a link cannot overrule a pin: whoever sits in the middle can send those too.
    return {
      action: 'refuse',
      code: 'certificate_changed',
      message:
        `The server at ${host} presented a different certificate than the one remembered on ` +
        `${new Date(remembered.firstSeenAt).toISOString().slice(0, 10)}.\n\n` +
        `Remembered: ${displayFingerprint(remembered.fingerprint)}\n` +
        `Presented:  ${displayFingerprint(fingerprint)}\n\n` +
        'Someone on the network may be posing as this server, so Parley did not connect. If the ' +
        "server's owner tells you they replaced its certificate, forget the remembered one and connect again."
    }
  }
  if (input.fromJoinLink.includes(fingerprint)) return { action: 'proceed', remember: 'join-link' }
  if (input.announced.includes(fingerprint)) return { action: 'proceed', remember: 'mdns' }
  return {
    action: 'ask',
    message:
      `The server at ${host} uses a certificate that no authority vouches for (a self-signed one).\n\n` +
      `Fingerprint: ${displayFingerprint(fingerprint)}\n\n` +
      'Compare it with the one the host shows (in its Host panel or at the server start). If they ' +
      'match, trust it: Parley remembers it and will refuse this address if it ever changes.'
  }
}

/** What Electron's setCertificateVerifyProc passes (the parts read here). */
export interface VerifyRequest {
  hostname: string
  certificate: { data: string }
  /** Chromium's own verdict: 'net::OK' when a CA vouches for the certificate. */
  verificationResult: string
}

/** Electron's verify callback codes: 0 trust, -2 refuse, -3 use Chromium's verdict. */
export const VERIFY_TRUST = 0
export const VERIFY_REFUSE = -2
export const VERIFY_CHROMIUM = -3

export interface CertificateVerifierDeps {
  remembered(host: string): TrustedCertificate | undefined
  remember(host: string, certificate: TrustedCertificate): void
  forget(host: string): void
  announced(host: string): string[]
  ownServer(): string | undefined
  /** Shows the fingerprint; resolves true when the person trusts it. */
  ask(host: string, message: string): Promise<boolean>
  /** Explains the refusal; resolves true when the person chose to forget the remembered certificate. */
  explainRefusal(host: string, message: string): Promise<boolean>
  now?: () => number
  logger?: { warn(details: object, message: string): void; info(details: object, message: string): void }
}

export interface CertificateVerifier {
  verify(request: VerifyRequest, callback: (code: number) => void): void
  /** A join link for `host` carried this fingerprint. */
  expect(host: string, fingerprint: string): void
  isRemembered(host: string): boolean
}

function normalizeHost(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase()
}

export function createCertificateVerifier(deps: CertificateVerifierDeps): CertificateVerifier {
  const now = deps.now ?? Date.now
  const expected = new Map<string, Set<string>>()
  /** One question per host and certificate, however many requests Chromium makes meanwhile. */
  const pending = new Map<string, Promise<number>>()

  async function decide(host: string, fingerprint: string): Promise<number> {
    const verdict = decideCertificateTrust({
      host,
      fingerprint,
      remembered: deps.remembered(host),
      announced: deps.announced(host),
      fromJoinLink: [...(expected.get(host) ?? [])],
      ownServer: deps.ownServer()
    })
    if (verdict.action === 'proceed') {
      if (verdict.remember) {
        deps.remember(host, { fingerprint, firstSeenAt: now(), via: verdict.remember })
        deps.logger?.info({ host, fingerprint, via: verdict.remember }, 'certificate remembered')
      }
      return VERIFY_TRUST
    }
    if (verdict.action === 'ask') {
      if (!(await deps.ask(host, verdict.message))) return VERIFY_REFUSE
      deps.remember(host, { fingerprint, firstSeenAt: now(), via: 'asked' })
      deps.logger?.info({ host, fingerprint }, 'certificate trusted by the person')
      return VERIFY_TRUST
    }
    deps.logger?.warn({ host, fingerprint }, 'certificate differs from the remembered one: refused')
    if (await deps.explainRefusal(host, verdict.message)) deps.forget(host)
    return VERIFY_REFUSE
  }

  return {
    verify(request, callback) {
      if (request.verificationResult === 'net::OK') {
        callback(VERIFY_CHROMIUM)
        return
      }
      let fingerprint: string
      try {
        fingerprint = new X509Certificate(request.certificate.data).fingerprint256
          .replace(/:/g, '')
          .toLowerCase()
      } catch {
        callback(VERIFY_CHROMIUM)
        return
      }
      const host = normalizeHost(request.hostname)
      const key = `${host} ${fingerprint}`
      let decision = pending.get(key)
      if (!decision) {
        decision = decide(host, fingerprint)
          .catch((error: unknown) => {
            deps.logger?.warn({ err: error, host }, 'certificate check failed: refused')
            return VERIFY_REFUSE
          })
          .finally(() => pending.delete(key))
        pending.set(key, decision)
      }
      void decision.then(callback)
    },
    expect(host, fingerprint) {
      const key = normalizeHost(host)
      const set = expected.get(key) ?? new Set<string>()
      set.add(fingerprint.replace(/[^0-9a-f]/gi, '').toLowerCase())
      expected.set(key, set)
    },
    isRemembered: (host) => deps.remembered(normalizeHost(host)) !== undefined
  }
}
