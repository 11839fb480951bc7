import { useState } from 'react'
import { useStore as useZustand } from 'zustand'
import type { HostStatus } from '../../../shared/ipc'
import { AddressQr, webClientUrl } from './address-qr'
import type { HostStore } from './host-store'

type Running = Extract<HostStatus, { state: 'running' }>

function isLoopback(wsUrl: string): boolean {
  const host = new URL(wsUrl).hostname
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]'
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <button
      type="button"
      className="host-copy"
      aria-label={`Copy ${text}`}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true)
          setTimeout(() => setCopied(false), 1500)
        })
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  )
}

/** `abcd…` → `ABCD 1234 …` in groups of two bytes, the way a person compares it. */
function groupedFingerprint(fingerprint: string): string {
  return (fingerprint.toUpperCase().match(/.{1,4}/g) ?? []).join(' ')
}

function portNote(status: Running): string | null {
  if (status.requestedPort === 0 || status.requestedPort === status.port) return null
  return `Port ${status.requestedPort} was in use, so the server took ${status.port}.`
}

/** What the host needs while serving: where people can join, and the stop button. */
export function HostSummary({ store }: { store: HostStore }) {
  const status = useZustand(store, (s) => s.status)
  const stop = useZustand(store, (s) => s.stop)
  const error = useZustand(store, (s) => s.error)
  if (status.state !== 'running' && status.state !== 'stopping') return null
  const running = status.state === 'running' ? status : null
  return (
    <div className="host-summary">
      {running && (
        <>
          <p className="host-headline">
            Hosting <strong>{running.name}</strong> on port {running.port}
            {running.passwordProtected ? ' · password required' : ' · no password'}
            {running.scope === 'local' ? ' · this computer only' : ' · local network'}
          </p>
          {portNote(running) && <p className="host-note">{portNote(running)}</p>}
          {running.tls && running.fingerprint ? (
            <div className="host-tls">
              <h3 id="host-fingerprint-heading">TLS certificate fingerprint (SHA-256)</h3>
              <div className="host-address-line">
                <code className="host-fingerprint" aria-labelledby="host-fingerprint-heading">
                  {groupedFingerprint(running.fingerprint)}
                </code>
                <CopyButton text={running.fingerprint} />
              </div>
              <p className="host-note">
                Joiners compare this with what their app or browser shows. The links below carry it, so Parley
                trusts this server without asking.
              </p>
            </div>
          ) : (
            running.scope === 'lan' && (
              <p className="host-note host-warning">
                Not encrypted: anyone on this network can read the chat and the password. Stop and tick
                “Encrypt with TLS” to protect it.
              </p>
            )
          )}
          {running.scope === 'lan' && (
            <p className="host-note">
              {running.announced
                ? 'Announced on the local network: Parley apps nearby list it under “On your network”.'
                : 'Not announced on the local network: people need the address below.'}
            </p>
          )}
          <h3 id="host-addresses-heading">Server addresses</h3>
          <ul className="host-addresses" aria-labelledby="host-addresses-heading">
            {running.urls.map((url) => (
              <li key={url}>
                <div className="host-address-line">
                  <code>{url}</code>
                  <CopyButton text={url} />
                </div>
                {!isLoopback(url) && (
                  <div className="host-address-qr">
                    <AddressQr wsUrl={url} fingerprint={running.fingerprint} />
                    <span className="host-note">
                      {running.fingerprint ? (
                        <>
                          Scan to open the web client, or paste this join link into Parley’s server address:{' '}
                          <code className="host-join-link">{webClientUrl(url, running.fingerprint)}</code>
                        </>
                      ) : (
                        <>
                          Scan to open the web client at {webClientUrl(url)}, or type {url} in Parley.
                        </>
                      )}
                    </span>
                  </div>
                )}
              </li>
            ))}
          </ul>
          {running.scope === 'local' && (
            <p className="host-note">
              Only this computer can join. Stop and choose “Local network” to let others in.
            </p>
          )}
        </>
      )}
      {error && (
        <p className="host-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        className="danger"
        onClick={() => void stop()}
        disabled={status.state === 'stopping'}
      >
        {status.state === 'stopping' ? 'Stopping…' : 'Stop server'}
      </button>
    </div>
  )
}
