import { useState, type FormEvent } from 'react'
import { DEFAULT_HOST_OPTIONS, type HostScope } from '../../../shared/ipc'
import type { HostStore } from './host-store'

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null
  const port = Number(text)
  return port <= 65535 ? port : null
}

/** The "Host a server" form's fields, prefilled from the last start, and Start server. */
export interface HostFormState {
  port: string
  setPort(port: string): void
  name: string
  setName(name: string): void
  password: string
  setPassword(password: string): void
  scope: HostScope
  setScope(scope: HostScope): void
  nick: string
  setNick(nick: string): void
  tls: boolean
  /** The person's own choice, from then on no longer following the scope. */
  chooseTls(on: boolean): void
  mdns: boolean
  setMdns(on: boolean): void
  /** What the form lacks; null when it is complete. */
  formError: string | null
  submit(event: FormEvent): void
}

export function useHostForm(store: HostStore): HostFormState {
  // Read once when the form opens: the last choices are a starting point, not live state.
  const [initial] = useState(() => store.getState().remembered)
  const [port, setPort] = useState(String(initial?.options?.port ?? DEFAULT_HOST_OPTIONS.port))
  const [name, setName] = useState(initial?.options?.name ?? DEFAULT_HOST_OPTIONS.name)
  const [password, setPassword] = useState('')
  const [scope, setScope] = useState<HostScope>(initial?.options?.scope ?? DEFAULT_HOST_OPTIONS.scope)
  const [nick, setNick] = useState(initial?.nickname ?? '')
  // TLS follows the scope ("Local network" on, "This computer only" off) until the person sets it.
  const [tlsChoice, setTlsChoice] = useState<boolean | null>(initial?.options?.tls ?? null)
  const tls = tlsChoice ?? scope === 'lan'
  const [mdns, setMdns] = useState(initial?.options?.mdns ?? true)
  const [formError, setFormError] = useState<string | null>(null)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const parsedPort = parsePort(port)
    if (parsedPort === null)
      return setFormError('The port is a number from 0 to 65535 (0 picks any free port).')
    if (!name.trim()) return setFormError('Give the server a name; people see it when they join.')
    if (!nick.trim()) return setFormError('Choose your nickname: you join your own server as a member.')
    setFormError(null)
    void store.getState().start(
      {
        port: parsedPort,
        name: name.trim(),
        scope,
        portFallback: true,
        tls,
        mdns,
        ...(password ? { password } : {})
      },
      nick.trim()
    )
  }

  return {
    port,
    setPort,
    name,
    setName,
    password,
    setPassword,
    scope,
    setScope,
    nick,
    setNick,
    tls,
    chooseTls: setTlsChoice,
    mdns,
    setMdns,
    formError,
    submit
  }
}
