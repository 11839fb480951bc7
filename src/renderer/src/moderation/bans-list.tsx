import { useCallback, useEffect, useState } from 'react'
import { httpOrigin } from '../files/server-origin'
import { formatPreciseTime } from '../ui/format'
import './moderation.css'

interface BanRow {
  id: string
  user: { id: string; nick: string }
  reason: string
  createdAt: number
}

/** How often the host's ban list is read again while shown (moderators ban from their own apps). */
const REFRESH_MS = 5000

/** The bans on the server this window hosts, each with "Lift ban" (owner token: the host's own). */
export function BansList({ selfUrl, ownerToken }: { selfUrl: string; ownerToken: string }) {
  const origin = httpOrigin(selfUrl)
  const [bans, setBans] = useState<BanRow[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const call = useCallback(
    (path: string, method = 'GET') =>
      fetch(`${origin}${path}`, { method, headers: { Authorization: `Bearer ${ownerToken}` } }),
    [origin, ownerToken]
  )
  const load = useCallback(async () => {
    try {
      const res = await call('/api/bans')
      if (!res.ok) throw new Error(`The server answered ${res.status}.`)
      setBans(((await res.json()) as { bans: BanRow[] }).bans)
      setProblem(null)
    } catch (error) {
      setProblem(`Bans could not be read: ${(error as Error).message}`)
    }
  }, [call])
  // The effect only subscribes to a clock: the first read is its first (immediate) tick.
  useEffect(() => {
    const first = setTimeout(() => void load(), 0)
    const timer = setInterval(() => void load(), REFRESH_MS)
    return () => {
      clearTimeout(first)
      clearInterval(timer)
    }
  }, [load])

  return (
    <section className="bans" aria-label="Bans">
      <h3 className="sidebar-heading">Bans</h3>
      {problem && <p className="form-error small">{problem}</p>}
      {bans.length === 0 ? (
        <p className="muted small">Nobody is banned.</p>
      ) : (
        <ul className="ban-list">
          {bans.map((ban) => (
            <li key={ban.id}>
              <strong>{ban.user.nick}</strong>
              <span className="muted small">{formatPreciseTime(ban.createdAt)}</span>
              <span>{ban.reason || <span className="muted">(no reason)</span>}</span>
              <button
                type="button"
                onClick={async () => {
                  await call(`/api/bans/${encodeURIComponent(ban.id)}`, 'DELETE')
                  await load()
                }}
              >
                Lift ban
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
