/**
 * Deleting across the issue-13 / moderation seam, over real sockets: a moderator may delete
 * anyone's room message, a member may not, and a deleted message's files stop being served (and
 * stay gone after a restart). A store without message changes (Redis) answers `unsupported`: see
 * cluster tests; here the SQLite store.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fileInfoSchema, type FileInfo } from '../../shared/file-info'
import {
  joinAs,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

const ADMIN = 'owner-token-for-delete-tests'
let server: TestServer | undefined
const fixture = serverTestFixture(() => server)

async function upload(token: string, name: string): Promise<FileInfo> {
  const res = await fetch(`${server!.httpUrl}/api/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'X-File-Name': name, 'Content-Type': 'text/plain' },
    body: new Uint8Array(randomBytes(64))
  })
  expect(res.status).toBe(201)
  return fileInfoSchema.parse(((await res.json()) as { file: unknown }).file)
}

const download = (file: FileInfo) => fetch(`${server!.httpUrl}/files/${file.id}`)

describe('delete by a moderator', () => {
  it("a moderator deletes a member's message; its files are no longer served, also after a restart", async () => {
    server = await startTestServer({ adminToken: ADMIN })
    const mod = await fixture.join('mod')
    const ann = await fixture.join('ann')
    const bob = await fixture.join('bob')
    const named = await fetch(`${server.httpUrl}/api/moderators/${mod.welcome.user.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN}` }
    })
    expect(named.status).toBe(200)

    const report = await upload(ann.welcome.session, 'report.txt')
    ann.client.send({ type: 'send', room: 'general', text: 'see file', files: [report.id], cid: 'f1' })
    const sent = await ann.client.next('message')
    expect(sent.files).toEqual([report])
    expect((await download(report)).status).toBe(200)

    // A member who is not the author may not.
    bob.client.send({ type: 'delete', room: 'general', id: sent.id })
    expect(await bob.client.next('error')).toMatchObject({ code: 'forbidden', ref: 'delete' })
    expect((await download(report)).status).toBe(200)

    mod.client.send({ type: 'delete', room: 'general', id: sent.id })
    expect(await ann.client.next('deleted')).toMatchObject({ room: 'general', id: sent.id })
    expect((await download(report)).status).toBe(404)

    await Promise.all(fixture.clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server, { adminToken: ADMIN })
    const later = await joinAs(server.url, 'carol')
    fixture.clients.push(later.client)
    const joined = later.client.log.find((m) => m.type === 'joined')
    const gone = joined?.type === 'joined' ? joined.history.find((m) => m.id === sent.id) : undefined
    expect(gone).toMatchObject({ deleted: true, text: '' })
    expect(gone).not.toHaveProperty('files')
    expect((await download(report)).status).toBe(404)
  })
})
