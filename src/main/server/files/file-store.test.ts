/**
 * The file store on a real data dir: a deleted message's files stop being served and their blobs
 * go, unless another upload still uses the same bytes; and the upload limits reserve room.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_FILE_LIMITS } from '../../../shared/file-info'
import { openFileStore, type FileStore } from './file-store'

const dirs: string[] = []
const stores: FileStore[] = []
afterEach(async () => {
  for (const store of stores.splice(0)) store.close()
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function open(limits = DEFAULT_FILE_LIMITS) {
  const dir = await mkdtemp(join(tmpdir(), 'parley-files-'))
  dirs.push(dir)
  const store = openFileStore(dir, { ...limits })
  stores.push(store)
  return { dir, store }
}

async function put(store: FileStore, owner: string, bytes: Buffer) {
  const admitted = store.admit(owner, bytes.length)
  if (!admitted.ok) throw new Error(admitted.message)
  const result = await admitted.upload.receive(Readable.from([bytes]), {
    name: 'f',
    declaredType: 'text/plain'
  })
  if (!result.ok) throw new Error(result.message)
  return result.file
}

describe('file store', () => {
  it("detachFilesOf stops serving a deleted message's files and deletes blobs nothing else uses", async () => {
    const { dir, store } = await open()
    const shared = randomBytes(1000)
    const own = randomBytes(1000)
    const a = await put(store, 'u_a', shared)
    const b = await put(store, 'u_a', own)
    const other = await put(store, 'u_b', shared)
    store.attach([a.id, b.id], '#general:7')
    store.attach([other.id], '#general:8')

    const removed = store.detachFilesOf('#general:7')
    expect(removed.map((file) => file.id).sort()).toEqual([a.id, b.id].sort())
    expect(store.get(a.id)).toBeUndefined()
    expect(store.get(b.id)).toBeUndefined()
    expect(existsSync(store.blobPath(b.hash))).toBe(false)
    // The same bytes are still another message's file.
    expect(store.get(other.id)).toBeDefined()
    expect(existsSync(store.blobPath(other.hash))).toBe(true)
    expect(store.usage('u_a')).toEqual({ user: 0, total: 1000 })
    expect(store.detachFilesOf('#general:7')).toEqual([])

    store.close()
    stores.splice(0)
    const reopened = openFileStore(dir, { ...DEFAULT_FILE_LIMITS })
    stores.push(reopened)
    expect(reopened.get(a.id)).toBeUndefined()
    expect(reopened.get(other.id)).toMatchObject({ message: '#general:8' })
    expect(reopened.usage('u_b')).toEqual({ user: 1000, total: 1000 })
  })

  it('reserves room at admission, so parallel uploads cannot pass the quota together', async () => {
    const { store } = await open({ ...DEFAULT_FILE_LIMITS, userQuotaBytes: 1500 })
    const first = store.admit('u_a', 1000)
    expect(first.ok).toBe(true)
    expect(store.admit('u_a', 1000)).toMatchObject({ ok: false, status: 507, error: 'quota_exceeded' })
    if (first.ok) first.upload.abandon()
    expect(store.admit('u_a', 1000).ok).toBe(true)
  })

  it('lets a send claim only its own unattached files, once', async () => {
    const { store } = await open()
    const mine = await put(store, 'u_a', randomBytes(100))
    const theirs = await put(store, 'u_b', randomBytes(100))
    expect(store.claim('u_a', [theirs.id])).toMatchObject({ ok: false })
    expect(store.claim('u_a', ['AAAAAAAAAAAAAAAAAAAAAA'])).toMatchObject({ ok: false })
    const first = store.claim('u_a', [mine.id])
    if (!first.ok) throw new Error(first.message)
    expect(first.claim.files).toEqual([
      { id: mine.id, name: 'f', size: 100, type: 'text/plain', url: `/files/${mine.id}` }
    ])
    // In flight: a second send cannot take it; once released it can, and once attached never again.
    expect(store.claim('u_a', [mine.id])).toMatchObject({ ok: false })
    first.claim.release()
    const second = store.claim('u_a', [mine.id])
    if (!second.ok) throw new Error(second.message)
    second.claim.attach('#general:1')
    expect(store.get(mine.id)?.message).toBe('#general:1')
    expect(store.claim('u_a', [mine.id])).toMatchObject({ ok: false })
    expect(store.claim('u_a', undefined)).toMatchObject({ ok: true, claim: { files: [] } })
  })
})
