import { useState, type FormEvent } from 'react'
import {
  displayServerAddress,
  joinLinkFingerprint,
  normalizeServerAddress
} from '../../engine/server-address'
import { useStore } from '../../store'
import { appPreferences, usePreferences } from '../../store/app-preferences'
import type { RecentServer } from '../../store/preferences'

/**
 * The address to offer first: when this page was served by a Parley server (no desktop bridge)
 * that server is almost certainly the one to join. Served over https (behind a TLS proxy, see
 * docs/deploy.md) it must be wss: a page on https may not open a ws:// socket at all.
 */
function initialAddress(recent: RecentServer[]): string {
  if (typeof window !== 'undefined' && !window.parley && /^https?:$/.test(window.location.protocol)) {
    return window.location.protocol === 'https:' ? `wss://${window.location.host}` : window.location.host
  }
  return recent[0] ? displayServerAddress(recent[0].url) : 'localhost:8080'
}

/** The connect screen's form: its fields, what is wrong with them, and Connect. */
export interface JoinForm {
  address: string
  setAddress(address: string): void
  nick: string
  setNick(nick: string): void
  password: string
  setPassword(password: string): void
  /** What the form lacks, else why the last attempt failed; null when all is well. */
  shownError: string | null
  clearError(): void
  submit(event: FormEvent): void
}

export function useJoinForm(): JoinForm {
  const connect = useStore((s) => s.connect)
  const problem = useStore((s) => s.problem)
  const recent = usePreferences((s) => s.recentServers)
  const [address, setAddress] = useState(() => initialAddress(recent))
  const [nick, setNick] = useState(() => appPreferences.getState().nickname || (recent[0]?.nick ?? ''))
  const [password, setPassword] = useState('')
  const [formError, setFormError] = useState<string | null>(null)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const normalized = normalizeServerAddress(address)
    if (!normalized.ok) {
      setFormError(normalized.message)
      return
    }
    if (!nick.trim()) {
      setFormError('Choose a nickname so people know who is talking.')
      return
    }
    setFormError(null)
    const request = { url: normalized.url, nick: nick.trim(), ...(password ? { password } : {}) }
    const fingerprint = joinLinkFingerprint(address)
    if (fingerprint && window.parley) {
      // Main must know the link's fingerprint before Chromium asks it about the certificate.
      void window.parley.trust
        .expect({ host: new URL(normalized.url).hostname, fingerprint })
        .catch(() => undefined)
        .then(() => connect(request))
      return
    }
    connect(request)
  }

  return {
    address,
    setAddress,
    nick,
    setNick,
    password,
    setPassword,
    shownError: formError ?? (problem ? `${problem.title}. ${problem.detail}` : null),
    clearError: () => setFormError(null),
    submit
  }
}
