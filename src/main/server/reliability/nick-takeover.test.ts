/**
 * Taking over or imitating a nick (issue 19, point 5): the attack run had Cyrillic "аlice" and
 * "alice" plus an invisible character accepted beside alice, the server's own name accepted as a
 * nick, and a dropped session's nick handed to whoever asked, after which the real user's token
 * got 4409 and DMs to their id were lost.
 */
import { describe, expect, it } from 'vitest'
import { CloseCode } from '../../../shared/close-codes'
import {
  connect,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'

let server: TestServer
const { clients, join } = serverTestFixture(() => server)

async function helloCloses(hello: Record<string, unknown>): Promise<number> {
  const client = await connect(server.url)
  clients.push(client)
  client.send({ type: 'hello', ...hello })
  return (await client.closed).code
}

describe('nick look-alikes', () => {
  it('refuses a nick that only looks different from a connected one', async () => {
    server = await startTestServer()
    await join('alice')
    // Cyrillic а, full-width letters, digit one for l: the same name to a reader.
    for (const nick of ['\u0430lice', 'ａｌｉｃｅ', 'a1ice']) {
      expect(await helloCloses({ nick }), nick).toBe(CloseCode.NickInUse)
    }
    // Invisible characters after the name are refused outright.
    for (const hidden of ['\u034F', '\uFE0F', '\u3164', '\u2800']) {
      expect(await helloCloses({ nick: `alice${hidden}` })).toBe(CloseCode.NotHello)
    }
    // A different name is still fine.
    await join('alicia')
  })
})

describe("a dropped session's nick", () => {
  it('stays reserved for its session during the resume window: no takeover, the real token still works', async () => {
    server = await startTestServer()
    const bob = await join('bob')
    const alice = await join('alice')
    await bob.client.next('presence')
    await alice.client.close(4000, 'wifi dropped')
    expect(await bob.client.next('presence')).toMatchObject({ event: 'leave' })
    // Someone else asks for the nick while alice may still come back.
    expect(await helloCloses({ nick: 'alice' })).toBe(CloseCode.NickInUse)
    expect(await helloCloses({ nick: 'ALICE' })).toBe(CloseCode.NickInUse)
    // A DM to alice's id is still stored for her…
    bob.client.send({ type: 'dm', to: alice.welcome.user.id, text: 'are you there?' })
    await bob.client.next('dm')
    // …and her token brings her back as herself, with it.
    const back = await connect(server.url)
    clients.push(back)
    back.send({ type: 'hello', nick: 'alice', session: alice.welcome.session, resume: { '@dm': 0 } })
    expect(await back.next('welcome')).toMatchObject({ resumed: true, user: alice.welcome.user })
    expect((await back.next('dm')).text).toBe('are you there?')
  })

  it('is free again once the resume window is over', async () => {
    server = await startTestServer({ limits: { sessionResumeMs: 300 } })
    const alice = await join('alice')
    await alice.client.close(4000, 'gone')
    await new Promise((resolve) => setTimeout(resolve, 600))
    const again = await join('alice')
    expect(again.welcome.user.id).not.toBe(alice.welcome.user.id)
  })
})

describe('nicks that pass for the server', () => {
  it("refuses the server's name and server, admin, system, look-alikes included", async () => {
    server = await startTestServer({ name: 'Den Server' })
    for (const nick of ['Den Server', 'den server', 'server', 'Admin', 'SYSTEM', 'ѕystem']) {
      expect(await helloCloses({ nick }), nick).toBe(CloseCode.NickInUse)
    }
    await join('denise')
  })
})
