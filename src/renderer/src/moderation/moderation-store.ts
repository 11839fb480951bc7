/**
 * This person's role on the server they are connected to, and the moderation calls (kick, ban)
 * that role allows, over the HTTP moderation API (docs/protocol.md, Moderation). The credential
 * is the owner token when this window hosts the server it is connected to (the host panel hands
 * it over), else the session token; the server decides what it may do (GET /api/me).
 */
import { create } from 'zustand'
import { httpOrigin } from '../files/server-origin'
import { useStore } from '../store'
import { loadSession } from '../store/session-memory'

export type Role = 'owner' | 'moderator' | 'member'

export interface ModerationState {
  role: Role
  /** The outcome of the last kick or ban, for the person who did it. */
  outcome: { ok: boolean; message: string } | null
  /** The host panel: this window owns the server at `url` (its own loopback address). */
  setOwnerToken(url: string | null, token: string | null): void
  refreshRole(): Promise<void>
  remove(kind: 'kick' | 'ban', user: { id: string; nick: string }, reason: string): Promise<void>
  /** The owner names a moderator. */
  nameModerator(user: { id: string; nick: string }): Promise<void>
  dismissOutcome(): void
}

/** How often the role is asked again while connected: an owner may name a moderator at any time. */
const ROLE_REFRESH_MS = 15_000

let owner: { url: string; token: string } | null = null

function credential(): { origin: string; token: string } | null {
  const { url, nick } = useStore.getState()
  if (!url || !nick) return null
  const origin = httpOrigin(url)
  const token = owner?.url === url ? owner.token : loadSession(url, nick)?.token
  return origin && token ? { origin, token } : null
}

async function call(path: string, method: string, body?: unknown): Promise<Response | null> {
  const target = credential()
  if (!target) return null
  return fetch(`${target.origin}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${target.token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {})
    },
    ...(body ? { body: JSON.stringify(body) } : {})
  })
}

export const useModeration = create<ModerationState>()((set, get) => ({
  role: 'member',
  outcome: null,
  setOwnerToken(url, token) {
    owner = url && token ? { url, token } : null
    void get().refreshRole()
  },
  async refreshRole() {
    try {
      const res = await call('/api/me', 'GET')
      const body = res?.ok ? ((await res.json()) as { role?: unknown }) : null
      const role = body?.role === 'owner' || body?.role === 'moderator' ? body.role : 'member'
      if (role !== get().role) set({ role })
    } catch {
      // The server is unreachable right now; the connection status already says so.
    }
  },
  async remove(kind, user, reason) {
    const verb = kind === 'kick' ? 'removed' : 'banned'
    try {
      const res = await call(`/api/users/${encodeURIComponent(user.id)}/${kind}`, 'POST', { reason })
      if (!res) return
      if (res.ok) {
        set({ outcome: { ok: true, message: `${user.nick} was ${verb}.` } })
        return
      }
      const body = (await res.json().catch(() => ({}))) as { message?: unknown }
      const message = typeof body.message === 'string' ? body.message : `The server answered ${res.status}.`
      set({ outcome: { ok: false, message: `${user.nick} was not ${verb}: ${message}` } })
    } catch {
      set({
        outcome: { ok: false, message: `${user.nick} was not ${verb}: the server could not be reached.` }
      })
    }
  },
  async nameModerator(user) {
    try {
      const res = await call(`/api/moderators/${encodeURIComponent(user.id)}`, 'PUT')
      if (!res) return
      if (res.ok) {
        set({ outcome: { ok: true, message: `${user.nick} is now a moderator.` } })
        return
      }
      const body = (await res.json().catch(() => ({}))) as { message?: unknown }
      const message = typeof body.message === 'string' ? body.message : `The server answered ${res.status}.`
      set({ outcome: { ok: false, message: `${user.nick} was not made a moderator: ${message}` } })
    } catch {
      set({
        outcome: {
          ok: false,
          message: `${user.nick} was not made a moderator: the server could not be reached.`
        }
      })
    }
  },
  dismissOutcome: () => set({ outcome: null })
}))

// Ask again on every welcome (a new session, or a new server), and now and then while connected.
let lastUserId: string | undefined
useStore.subscribe((state) => {
  const userId = state.me?.id
  if (userId === lastUserId) return
  lastUserId = userId
  if (userId) void useModeration.getState().refreshRole()
  else useModeration.setState({ role: 'member', outcome: null })
})
setInterval(() => {
  if (useStore.getState().status === 'open') void useModeration.getState().refreshRole()
}, ROLE_REFRESH_MS)
