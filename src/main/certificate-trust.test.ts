/**
 * Pinning decisions under Node: the rule (decideCertificateTrust) and the verifier Electron's
 * setCertificateVerifyProc calls, with a real certificate and the real settings store on disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TrustedCertificate } from '../shared/ipc'
import {
  VERIFY_CHROMIUM,
  VERIFY_REFUSE,
  VERIFY_TRUST,
  createCertificateVerifier,
  decideCertificateTrust,
  type CertificateVerifierDeps
} from './certificate-trust'
import { loadTlsIdentity, type TlsIdentity } from './server/tls-identity'
import { createSettingsStore, type SettingsStore } from './settings-store'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const pinned = (fingerprint: string): TrustedCertificate => ({ fingerprint, firstSeenAt: 0, via: 'asked' })
const base = { host: '192.0.2.7', announced: [], fromJoinLink: [] }

describe('decideCertificateTrust', () => {
  it('first seen and matching the mDNS announcement or the join link: proceeds and remembers why', () => {
    expect(decideCertificateTrust({ ...base, fingerprint: A, announced: [A] })).toEqual({
      action: 'proceed',
      remember: 'mdns'
    })
    expect(decideCertificateTrust({ ...base, fingerprint: A, fromJoinLink: [A] })).toEqual({
      action: 'proceed',
      remember: 'join-link'
    })
  })

  it('first seen and vouched for by nothing (or by another fingerprint): asks, showing the fingerprint', () => {
    for (const input of [
      { ...base, fingerprint: A },
      { ...base, fingerprint: A, announced: [B], fromJoinLink: [B] }
    ]) {
      const verdict = decideCertificateTrust(input)
      expect(verdict.action).toBe('ask')
      if (verdict.action === 'ask') expect(verdict.message).toContain('AAAAAAAA AAAAAAAA')
    }
  })

  it('remembered and matching: proceeds without remembering again', () => {
    expect(decideCertificateTrust({ ...base, fingerprint: A, remembered: pinned(A) })).toEqual({
      action: 'proceed'
    })
  })

  it('remembered and different: refuses with both fingerprints, even when mDNS and the link vouch for the new one', () => {
    const verdict = decideCertificateTrust({
      ...base,
      fingerprint: B,
      remembered: pinned(A),
      announced: [B],
      fromJoinLink: [B]
    })
    expect(verdict).toMatchObject({ action: 'refuse', code: 'certificate_changed' })
    if (verdict.action !== 'refuse') throw new Error('not refused')
    expect(verdict.message).toMatch(/^The server at 192\.0\.2\.7 presented a different certificate/)
    expect(verdict.message).toContain(`Remembered: AAAAAAAA`)
    expect(verdict.message).toContain(`Presented:  BBBBBBBB`)
    expect(verdict.message).toMatch(/posing as this server/)
  })

  it("trusts this app's own hosted server on loopback only", () => {
    expect(decideCertificateTrust({ ...base, host: '127.0.0.1', fingerprint: A, ownServer: A })).toEqual({
      action: 'proceed'
    })
    expect(decideCertificateTrust({ ...base, fingerprint: A, ownServer: A }).action).toBe('ask')
  })
})

describe('the certificate verifier (what Electron calls)', () => {
  let dir: string
  let identity: TlsIdentity
  let settings: SettingsStore
  let asked: string[]
  let refusals: string[]
  let answers: { ask: boolean; forget: boolean }
  let announced: string[]

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-trust-'))
    identity = loadTlsIdentity({ selfSigned: true }, dir)
    settings = createSettingsStore({ file: join(dir, 'settings.json') })
    asked = []
    refusals = []
    answers = { ask: true, forget: false }
    announced = []
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  function verifier(extra: Partial<CertificateVerifierDeps> = {}) {
    return createCertificateVerifier({
      remembered: (host) => settings.get().trustedCertificates[host],
      remember: (host, certificate) => settings.setTrustedCertificate(host, certificate),
      forget: (host) => settings.setTrustedCertificate(host, undefined),
      announced: () => announced,
      ownServer: () => undefined,
      ask: (host, message) => (asked.push(`${host}: ${message}`), Promise.resolve(answers.ask)),
      explainRefusal: (host, message) => (
        refusals.push(`${host}: ${message}`),
        Promise.resolve(answers.forget)
      ),
      now: () => 1_700_000_000_000,
      ...extra
    })
  }

  function verify(
    v: ReturnType<typeof verifier>,
    hostname: string,
    result = 'net::ERR_CERT_AUTHORITY_INVALID'
  ) {
    return new Promise<number>((resolve) =>
      v.verify({ hostname, certificate: { data: identity.cert }, verificationResult: result }, resolve)
    )
  }

  const savedPins = () =>
    (JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { trustedCertificates: object })
      .trustedCertificates

  it('leaves certificates a CA vouches for to Chromium', async () => {
    expect(await verify(verifier(), 'example.org', 'net::OK')).toBe(VERIFY_CHROMIUM)
    expect(asked).toEqual([])
  })

  it('asks once on first use, remembers the answer on disk, and then connects without asking', async () => {
    const v = verifier()
    // Chromium may verify the same certificate several times at once: one question for all.
    expect(await Promise.all([verify(v, '192.0.2.7'), verify(v, '192.0.2.7')])).toEqual([
      VERIFY_TRUST,
      VERIFY_TRUST
    ])
    expect(asked).toHaveLength(1)
    expect(asked[0]).toContain(identity.fingerprint.slice(0, 8).toUpperCase())
    expect(savedPins()).toEqual({
      '192.0.2.7': { fingerprint: identity.fingerprint, firstSeenAt: 1_700_000_000_000, via: 'asked' }
    })
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_TRUST)
    expect(asked).toHaveLength(1)
  })

  it('refuses when the person does not trust it, and remembers nothing', async () => {
    answers.ask = false
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_REFUSE)
    expect(settings.get().trustedCertificates).toEqual({})
  })

  it('does not ask when mDNS announced the fingerprint or a join link carried it', async () => {
    announced = [identity.fingerprint]
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_TRUST)
    announced = []
    const v = verifier()
    v.expect('[2001:db8::1]', identity.fingerprint.toUpperCase().match(/../g)!.join(':'))
    expect(await verify(v, '2001:db8::1')).toBe(VERIFY_TRUST)
    expect(asked).toEqual([])
    expect(settings.get().trustedCertificates['192.0.2.7']?.via).toBe('mdns')
    expect(settings.get().trustedCertificates['2001:db8::1']?.via).toBe('join-link')
    expect(v.isRemembered('[2001:db8::1]')).toBe(true)
  })

  it('refuses a remembered host that presents another certificate, explains why, and forgets only when told', async () => {
    settings.setTrustedCertificate('192.0.2.7', pinned(A))
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_REFUSE)
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toMatch(/presented a different certificate/)
    expect(settings.get().trustedCertificates['192.0.2.7']?.fingerprint).toBe(A)
    answers.forget = true
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_REFUSE)
    expect(settings.get().trustedCertificates).toEqual({})
    // Forgotten: the next connection is a first use again, and asks.
    expect(await verify(verifier(), '192.0.2.7')).toBe(VERIFY_TRUST)
    expect(asked).toHaveLength(1)
  })
})
