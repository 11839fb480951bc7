/**
 * The certificate a TLS server presents: the operator's own (`--tls-cert`/`--tls-key`), or a
 * self-signed one made on first use and kept in the data directory, so the fingerprint people
 * pin (and see in mDNS and join links) stays the same across restarts.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'

export interface TlsIdentity {
  cert: string
  key: string
  /** SHA-256 of the certificate (DER), lowercase hex without separators: the `fp` people pin. */
  fingerprint: string
  /** True when made here (self-signed), false for an operator's certificate. */
  selfSigned: boolean
}

/** Where the server's TLS certificate comes from. */
export type TlsSource = { selfSigned: true } | { certFile: string; keyFile: string }

export class TlsIdentityError extends Error {
  override readonly name = 'TlsIdentityError'
  constructor(
    readonly code: 'tls_files_unreadable' | 'tls_files_invalid',
    message: string
  ) {
    super(message)
  }
}

const SELF_SIGNED_DIR = 'tls'
const CERT_FILE = 'cert.pem'
const KEY_FILE = 'key.pem'
/** Long-lived on purpose: what people trust is the pinned fingerprint, not an expiry date. */
const VALIDITY_YEARS = 20

/** `AB:CD:…` (Node) or `ab cd …` → `abcd…`. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toLowerCase()
}

export function fingerprintOf(certPem: string | Buffer): string {
  return normalizeFingerprint(new X509Certificate(certPem).fingerprint256)
}

/** `abcd…` → `AB:CD:…`, the way browsers and `openssl x509 -fingerprint` show it. */
export function formatFingerprint(fingerprint: string): string {
  return (normalizeFingerprint(fingerprint).match(/../g) ?? []).join(':').toUpperCase()
}

function selfSignedCertificate(commonName: string): { cert: string; key: string } {
  // Node makes the key (fast, native); forge only builds and signs the certificate around it.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem)
  // A positive 16-byte serial (the top bit clear), as RFC 5280 asks.
  cert.serialNumber = `0${randomBytes(16).toString('hex').slice(1)}`
  const now = new Date()
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000)
  cert.validity.notAfter = new Date(now)
  cert.validity.notAfter.setFullYear(now.getFullYear() + VALIDITY_YEARS)
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Parley (self-signed)' }
  ]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: `${commonName}.local` },
        { type: 7, ip: '127.0.0.1' }
      ]
    }
  ])
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(cert), key: keyPem }
}

function writePrivately(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, text, { mode })
  chmodSync(temporary, mode)
  renameSync(temporary, file)
}

function checked(cert: string, key: string, where: string, selfSigned: boolean): TlsIdentity {
  let fingerprint: string
  try {
    fingerprint = fingerprintOf(cert)
    const certificate = new X509Certificate(cert)
    if (!certificate.checkPrivateKey(createPrivateKey(key))) {
      throw new Error('the key does not belong to the certificate')
    }
  } catch (error) {
    throw new TlsIdentityError(
      'tls_files_invalid',
      `The TLS certificate and key in ${where} cannot be used: ${(error as Error).message}.`
    )
  }
  return { cert, key, fingerprint, selfSigned }
}

function readPair(certFile: string, keyFile: string): { cert: string; key: string } {
  try {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
  } catch (error) {
    throw new TlsIdentityError(
      'tls_files_unreadable',
      `The TLS certificate or key could not be read: ${(error as Error).message}.`
    )
  }
}

/**
 * The identity for `source`. A self-signed one is read from `<dataDir>/tls/` when there, else
 * made and written there (the key readable by this user only) before it is used.
 */
export function loadTlsIdentity(source: TlsSource, dataDir: string): TlsIdentity {
  if ('certFile' in source) {
    const { cert, key } = readPair(source.certFile, source.keyFile)
    return checked(cert, key, `${source.certFile} and ${source.keyFile}`, false)
  }
  const dir = join(dataDir, SELF_SIGNED_DIR)
  const certFile = join(dir, CERT_FILE)
  const keyFile = join(dir, KEY_FILE)
  if (existsSync(certFile) && existsSync(keyFile)) {
    const { cert, key } = readPair(certFile, keyFile)
    return checked(cert, key, dir, true)
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const made = selfSignedCertificate(hostname().replace(/[^A-Za-z0-9-]/g, '-') || 'parley')
  // The key first: a crash between the two writes leaves no certificate without its key.
  writePrivately(keyFile, made.key, 0o600)
  writePrivately(certFile, made.cert, 0o644)
  return checked(made.cert, made.key, dir, true)
}
