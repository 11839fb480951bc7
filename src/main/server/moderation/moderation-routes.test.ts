/**
 * Kick and ban over the real HTTP API against a real server: the closes (4410, 4411) reach real
 * sockets, bans hold across a restart, and only the owner and moderators may act.
 */
import { describe, expect, it } from 'vitest'
import { CloseCode } from '../../../shared/close-codes'
import {
  connect,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'

const ADMIN = 'owner-token-for-tests'
let server: TestServer | undefined
const fixture = serverTestFixture(() => server)

function api(path: string, token: string | undefined, method = 'POST', body?: unknown): Promise<Response> {
  return fetch(`${server!.httpUrl}${path}`, {
    method,
    headers: {
      ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {})
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
}

/** A hello that the server should refuse: resolves with how the socket closed. */
async function refusedHello(hello: Record<string, unknown>) {
  const client = await connect(server!.url)
  client.send({ type: 'hello', ...hello })
  return client.closed
}

describe('kick', () => {
  it('closes every connection of the user with 4410 and the reason; they may come back', async () => {
    server = await startTestServer({ adminToken: ADMIN })
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const res = await api(`/api/users/${bob.welcome.user.id}/kick`, ADMIN, 'POST', { reason: 'Flooding' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      kicked: { id: bob.welcome.user.id, nick: 'bob' },
      reason: 'Flooding'
    })
    expect(await bob.client.closed).toMatchObject({
      code: CloseCode.Kicked,
      reason: 'Removed by a moderator: Flooding'
    })
    // bob's join came first; his leave follows the kick.
    expect(await ann.client.next('presence')).toMatchObject({ event: 'join', user: { nick: 'bob' } })
    expect(await ann.client.next('presence')).toMatchObject({ event: 'leave', user: { nick: 'bob' } })
    // A kick is not a ban: the same session may say hello again.
    const back = await fixture.join('bob', { session: bob.welcome.session })
    expect(back.welcome).toMatchObject({ user: bob.welcome.user, resumed: true })
  })

  it('answers 401 without a token or with a wrong one, 403 for a member, 404 for no such user', async () => {
    server = await startTestServer({ adminToken: ADMIN })
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const target = `/api/users/${bob.welcome.user.id}/kick`
    expect((await api(target, undefined)).status).toBe(401)
    expect((await api(target, 'not-a-token')).status).toBe(401)
    const member = await api(target, ann.welcome.session)
    expect(member.status).toBe(403)
    expect(await member.json()).toMatchObject({ error: 'forbidden' })
    expect((await api('/api/users/u_nobody/kick', ADMIN)).status).toBe(404)
    expect(bob.client.ws.readyState).toBe(WebSocket.OPEN)
  })
})

describe('ban', () => {
  it('closes with 4411, refuses the session and the nick until lifted, also after a restart', async () => {
    server = await startTestServer({ adminToken: ADMIN })
    const mallory = await fixture.join('Mallory')
    const res = await api(`/api/users/${mallory.welcome.user.id}/ban`, ADMIN, 'POST', { reason: 'Abuse' })
    expect(res.status).toBe(201)
    const { ban } = (await res.json()) as { ban: { id: string; user: { nick: string }; reason: string } }
    expect(ban).toMatchObject({ user: { nick: 'Mallory' }, reason: 'Abuse' })
    expect(await mallory.client.closed).toMatchObject({ code: CloseCode.Banned, reason: 'Banned: Abuse' })

    expect(await refusedHello({ nick: 'other', session: mallory.welcome.session })).toMatchObject({
      code: CloseCode.Banned
    })
    expect(await refusedHello({ nick: 'mallory' })).toMatchObject({
      code: CloseCode.Banned,
      reason: 'Banned: Abuse'
    })
    // Uploads need a session, and the banned one is gone.
    const upload = await fetch(`${server.httpUrl}/api/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${mallory.welcome.session}` },
      body: 'x'
    })
    expect(upload.status).toBe(401)

    server = await restartTestServer(server, { adminToken: ADMIN })
    expect(await refusedHello({ nick: 'MALLORY' })).toMatchObject({ code: CloseCode.Banned })
    const listed = await api('/api/bans', ADMIN, 'GET')
    expect(((await listed.json()) as { bans: unknown[] }).bans).toEqual([ban])

    expect((await api(`/api/bans/${ban.id}`, ADMIN, 'DELETE')).status).toBe(200)
    expect((await api(`/api/bans/${ban.id}`, ADMIN, 'DELETE')).status).toBe(404)
    const welcomeBack = await fixture.join('Mallory')
    expect(welcomeBack.welcome.user.nick).toBe('Mallory')
  })
})

describe('moderators', () => {
  it('are named by the owner and may kick and ban members, but not moderators, nor name anyone', async () => {
    server = await startTestServer({ adminToken: ADMIN })
    const mod = await fixture.join('mod')
    const other = await fixture.join('other-mod')
    const member = await fixture.join('member')
    expect(await (await api('/api/me', mod.welcome.session, 'GET')).json()).toMatchObject({ role: 'member' })
    for (const who of [mod, other]) {
      expect((await api(`/api/moderators/${who.welcome.user.id}`, ADMIN, 'PUT')).status).toBe(200)
    }
    expect(await (await api('/api/me', mod.welcome.session, 'GET')).json()).toMatchObject({
      role: 'moderator',
      user: { nick: 'mod' }
    })
    expect(await (await api('/api/me', ADMIN, 'GET')).json()).toEqual({ role: 'owner' })
    expect((await api(`/api/moderators/${member.welcome.user.id}`, mod.welcome.session, 'PUT')).status).toBe(
      403
    )
    expect((await api(`/api/users/${other.welcome.user.id}/kick`, mod.welcome.session)).status).toBe(403)

    const kicked = await api(`/api/users/${member.welcome.user.id}/kick`, mod.welcome.session, 'POST', {})
    expect(kicked.status).toBe(200)
    expect(await member.client.closed).toMatchObject({ code: CloseCode.Kicked })

    expect((await api(`/api/moderators/${other.welcome.user.id}`, ADMIN, 'DELETE')).status).toBe(200)
    const list = (await (await api('/api/moderators', ADMIN, 'GET')).json()) as { moderators: unknown[] }
    expect(list.moderators).toEqual([{ user: mod.welcome.user, namedAt: expect.any(Number) }])
  })

  it('work on a server without an admin token, which has no owner over HTTP', async () => {
    server = await startTestServer()
    const ann = await fixture.join('ann')
    expect((await api(`/api/users/${ann.welcome.user.id}/kick`, 'anything')).status).toBe(401)
    expect((await api(`/api/users/${ann.welcome.user.id}/kick`, ann.welcome.session)).status).toBe(403)
  })
})
