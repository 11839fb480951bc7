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
