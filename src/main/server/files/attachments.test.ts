/**
 * Files on messages over real sockets: `send` and `dm` carry uploads, only the sender's own and
 * each in one message; the message (live, in history, after a restart) carries them.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fileInfoSchema, type FileInfo } from '../../../shared/file-info'
import {
  joinAs,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'

let server: TestServer | undefined
const fixture = serverTestFixture(() => server)

async function upload(token: string, name: string, body = randomBytes(64)): Promise<FileInfo> {
  const res = await fetch(`${server!.httpUrl}/api/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'X-File-Name': name, 'Content-Type': 'text/plain' },
    body: new Uint8Array(body)
  })
  expect(res.status).toBe(201)
  return fileInfoSchema.parse(((await res.json()) as { file: unknown }).file)
}

describe('files on messages', () => {
  it('a send carries its files to every member, also in history and after a restart', async () => {
    server = await startTestServer()
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const report = await upload(ann.welcome.session, 'report.txt')
    const notes = await upload(ann.welcome.session, 'notes.txt')
    ann.client.send({ type: 'send', room: 'general', text: '', files: [report.id, notes.id], cid: 'f1' })
    const own = await ann.client.next('message')
    expect(own).toMatchObject({ text: '', cid: 'f1', files: [report, notes] })
    const seen = await bob.client.next('message')
    expect(seen.files).toEqual([report, notes])
    expect(seen).not.toHaveProperty('cid')

    // Without a cid, too, and plain messages carry no files field at all.
    bob.client.send({ type: 'send', room: 'general', text: 'no files here' })
    expect(await ann.client.next('message')).not.toHaveProperty('files')

    await Promise.all(fixture.clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server)
    const later = await joinAs(server.url, 'carol')
    fixture.clients.push(later.client)
    const joined = later.client.log.find((m) => m.type === 'joined')
    expect(joined?.type === 'joined' && joined.history.map((m) => m.files ?? [])).toEqual([
      [report, notes],
      []
    ])
  })

  it('a dm carries files to both sides', async () => {
    server = await startTestServer()
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const picture = await upload(ann.welcome.session, 'p.bin')
    ann.client.send({ type: 'dm', to: bob.welcome.user.id, text: 'for you', files: [picture.id] })
    expect((await bob.client.next('dm')).files).toEqual([picture])
    expect((await ann.client.next('dm')).files).toEqual([picture])
  })

  it('refuses with invalid_files, storing nothing: another user’s file, an unknown id, a file already sent', async () => {
    server = await startTestServer()
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const bobs = await upload(bob.welcome.session, 'bobs.txt')
    const anns = await upload(ann.welcome.session, 'anns.txt')
    const cases = [[bobs.id], ['AAAAAAAAAAAAAAAAAAAAAA']]
    for (const [i, files] of cases.entries()) {
      ann.client.send({ type: 'send', room: 'general', text: 'x', files, cid: `bad-${i}` })
      expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_files', ref: `bad-${i}` })
    }
    ann.client.send({ type: 'send', room: 'general', text: 'first', files: [anns.id], cid: 'ok' })
    expect((await ann.client.next('message')).files).toEqual([anns])
    ann.client.send({ type: 'dm', to: bob.welcome.user.id, text: 'again', files: [anns.id], cid: 'again' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_files', ref: 'again' })
    // An empty text needs files; a file listed twice is malformed.
    ann.client.send({ type: 'send', room: 'general', text: '' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_message' })
    ann.client.send({ type: 'send', room: 'general', text: 'x', files: [anns.id, anns.id] })
    expect(await ann.client.next('error')).toMatchObject({ code: 'invalid_message' })
    expect(bob.client.queued('message').map((m) => m.text)).toEqual(['first'])
  })

  it('answers a resend with the stored message and its files, without claiming them again', async () => {
    server = await startTestServer()
    const ann = await fixture.join('ann')
    const file = await upload(ann.welcome.session, 'once.txt')
    const send = { type: 'send', room: 'general', text: 'once', files: [file.id], cid: 'same' }
    ann.client.send(send)
    const first = await ann.client.next('message')
    ann.client.send(send)
    const again = await ann.client.next('message')
    expect(again).toEqual(first)
    expect(ann.client.queued('error')).toEqual([])
  })
})
