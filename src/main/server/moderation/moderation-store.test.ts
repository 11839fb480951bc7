/** Bans and moderators on a real SQLite file, across a reopen (a restart). */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openModerationStore } from './moderation-store'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-moderation-'))
  dirs.push(dir)
  return dir
}

describe('moderation store', () => {
  it('keeps bans and moderators across a reopen, and lifts a ban by its id', async () => {
    const dir = await dataDir()
    const first = openModerationStore(dir)
    const ban = first.ban({ id: 'u_1', nick: 'Mallory' }, 'hash-1', 'spam', 'owner')
    first.name({ id: 'u_2', nick: 'mod' })
    first.close()

    const second = openModerationStore(dir)
    expect(second.bans()).toEqual([ban])
    expect(second.bans()[0]).not.toHaveProperty('tokenHash')
    expect(second.isModerator('u_2')).toBe(true)
    expect(second.banFor('hash-1', 'someone-else')).toEqual(ban)
    expect(second.unban('b_none')).toBe(false)
    expect(second.unban(ban.id)).toBe(true)
    second.close()

    const third = openModerationStore(dir)
    expect(third.bans()).toEqual([])
    expect(third.banFor('hash-1', 'Mallory')).toBeUndefined()
    third.close()
  })

  it('refuses the banned nick in any case or compatibility form, and the session whatever its nick', async () => {
    const store = openModerationStore(await dataDir())
    store.ban({ id: 'u_1', nick: 'Mallory' }, 'hash-1', '', 'u_mod')
    expect(store.banFor(undefined, 'mallory')).toBeDefined()
    expect(store.banFor(undefined, 'ＭＡＬＬＯＲＹ')).toBeDefined()
    expect(store.banFor('hash-1', 'new-name')).toBeDefined()
    expect(store.banFor('hash-2', 'alice')).toBeUndefined()
    store.close()
  })
})
