import type { HostScope } from '../../../shared/ipc'
import type { HostFormState } from './use-host-form'

const SCOPES: { scope: HostScope; label: string }[] = [
  { scope: 'local', label: 'This computer only' },
  { scope: 'lan', label: 'Local network' }
]

/** Who can join: this computer only, or the local network. */
export function HostScopeChoice({ form }: { form: HostFormState }) {
  return (
    <fieldset className="host-scope">
      <legend>Who can join</legend>
      {SCOPES.map(({ scope, label }) => (
        <label key={scope}>
          <input
            type="radio"
            name="scope"
            checked={form.scope === scope}
            onChange={() => form.setScope(scope)}
          />
          {label}
        </label>
      ))}
    </fieldset>
  )
}

/** TLS, and the mDNS announcement, which only means something on the local network. */
export function HostSecurityChoice({ form }: { form: HostFormState }) {
  return (
    <fieldset className="host-scope host-security">
      <legend>Security and discovery</legend>
      <label>
        <input
          type="checkbox"
          name="tls"
          checked={form.tls}
          onChange={(event) => form.chooseTls(event.target.checked)}
        />
        Encrypt with TLS (self-signed certificate)
      </label>
      <label>
        <input
          type="checkbox"
          name="mdns"
          checked={form.mdns && form.scope === 'lan'}
          disabled={form.scope !== 'lan'}
          onChange={(event) => form.setMdns(event.target.checked)}
        />
        Announce on the local network
      </label>
    </fieldset>
  )
}
