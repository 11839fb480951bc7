/**
 * The Store contract (src/main/server/store.ts), as a suite any implementation runs: today the
 * SQLite store, later the Redis one. Written against the interface only: each test gets a fresh
 * place (a temp dir, a Redis database) from the factory, and may open it more than once to check
 * what survives a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage, DirectMessage, User } from '../../src/shared/protocol'
import type { MessageChange, Store } from '../../src/main/server/store'

export interface StorePlace {
  /** Opens the store on this place; called again after close() to check what persisted. */
  open(): Store | Promise<Store>
  /** Deletes the place (after every store on it was closed). */
  remove(): Promise<void>
}

const ann: User = { id: 'u_ann', nick: 'ann' }
const bob: User = { id: 'u_bob', nick: 'bob' }
const cy: User = { id: 'u_cy', nick: 'cy' }

export function appendMessage(store: Store, room: string, from: User, text: string, cid?: string) {
  return new Promise<ChatMessage>((resolve, reject) =>
    store.appendMessage(room, from, text, (error, stored) => (stored ? resolve(stored) : reject(error)), cid)
  )
}

export function appendDm(store: Store, from: User, to: User, text: string, cid?: string) {
  return new Promise<DirectMessage>((resolve, reject) =>
    store.appendDm(from, to, text, (error, stored) => (stored ? resolve(stored) : reject(error)), cid)
  )
}

export function changeMessage(store: Store, room: string, id: number, change: MessageChange) {
  return new Promise<ChatMessage>((resolve, reject) =>
    withChanges(store).changeMessage(room, id, change, (error, stored) =>
      stored ? resolve(stored) : reject(error)
    )
  )
}

type ChangingStore = Store & Required<Pick<Store, 'changeMessage' | 'roomRev' | 'changesAfter' | 'search'>>

/** The store's message-change methods; throws (failing the test) when a store lacks one. */
function withChanges(store: Store): ChangingStore {
  const { changeMessage, roomRev, changesAfter, search } = store
  if (!store.messageChanges || !changeMessage || !roomRev || !changesAfter || !search) {
    throw new Error('this store does not implement message changes and search')
  }
  return store as ChangingStore
}

export interface StoreCapabilities {
  /**
   * Edits, deletions, reactions and search (Store.messageChanges). Without it those cases are
   * reported as skipped, and one case checks that the store really has none of them (so the hub
   * answers `unsupported`), never a pass.
   */
  messageChanges: boolean
}

export function describeStoreContract(
  name: string,
  createPlace: () => Promise<StorePlace>,
  capabilities: StoreCapabilities
): void {
  const withoutChanges = !capabilities.messageChanges
  describe(`Store contract: ${name}`, () => {
    let place: StorePlace
    let store: Store

    beforeEach(async () => {
      place = await createPlace()
      store = await place.open()
    })

    afterEach(async () => {
      store.close()
      await place.remove()
    })

    async function reopen(): Promise<Store> {
      store.close()
      store = await place.open()
      return store
    }

    it('assigns each room its own increasing ids, in append order, and calls back after append returns', async () => {
      store.ensureRoom('a')
      store.ensureRoom('b')
      let returned = false
      const calledBack: boolean[] = []
      const all = Array.from({ length: 20 }, (_, i) => {
        const stored = new Promise<ChatMessage>((resolve, reject) =>
          store.appendMessage(i % 2 ? 'b' : 'a', ann, `m${i}`, (error, message) => {
            calledBack.push(returned)
            return message ? resolve(message) : reject(error)
          })
        )
        return stored
      })
      returned = true
      const messages = await Promise.all(all)
      expect(calledBack.every(Boolean)).toBe(true)
      expect(messages.filter((m) => m.room === 'a').map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(messages.filter((m) => m.room === 'b').map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(messages[0]).toMatchObject({ room: 'a', from: ann, text: 'm0' })
      expect(typeof messages[0]!.ts).toBe('number')
      expect(store.counts().messages).toBe(20)
    })

    it('pages a room newest first, returned oldest first, with hasMore; replays after an id, capped', async () => {
      store.ensureRoom('general')
      for (let i = 1; i <= 7; i++) await appendMessage(store, 'general', ann, `m${i}`)
      expect(store.page('general', 3)).toMatchObject({ hasMore: true })
      expect(store.page('general', 3).messages.map((m) => m.id)).toEqual([5, 6, 7])
      expect(store.page('general', 3, 5).messages.map((m) => m.id)).toEqual([2, 3, 4])
      expect(store.page('general', 3, 2)).toMatchObject({ hasMore: false, messages: [{ id: 1, text: 'm1' }] })
      expect(store.messagesAfter('general', 4, 10)).toMatchObject({ hasMore: false })
      expect(store.messagesAfter('general', 4, 10).messages.map((m) => m.id)).toEqual([5, 6, 7])
      expect(store.messagesAfter('general', 0, 2).messages.map((m) => m.id)).toEqual([6, 7])
      expect(store.messagesAfter('general', 0, 2).hasMore).toBe(true)
      expect(store.page('nowhere', 10)).toEqual({ messages: [], hasMore: false })
      expect(store.messagesAfter('nowhere', 0, 10)).toEqual({ messages: [], hasMore: false })
    })

    it('keeps one DM sequence and finds DMs to and from a user after an id', async () => {
      const one = await appendDm(store, ann, bob, 'one')
      await appendDm(store, bob, ann, 'two')
      await appendDm(store, bob, cy, 'not ann')
      expect(one).toMatchObject({ id: 1, from: ann, to: bob, text: 'one' })
      expect(store.dmsAfter(ann.id, 0, 10).messages.map((dm) => [dm.id, dm.text])).toEqual([
        [1, 'one'],
        [2, 'two']
      ])
      expect(store.dmsAfter(ann.id, 1, 10).messages.map((dm) => dm.text)).toEqual(['two'])
      expect(store.dmsAfter(bob.id, 0, 2)).toMatchObject({ hasMore: true, messages: [{ id: 2 }, { id: 3 }] })
      expect(store.dmById(1)).toEqual(one)
      expect(store.dmById(99)).toBeUndefined()
      expect(store.counts().dms).toBe(3)
    })

    it('keeps a cid with its message and finds it by room, sender and cid within the window', async () => {
      store.ensureRoom('general')
      store.ensureRoom('dev')
      const mine = await appendMessage(store, 'general', ann, 'x', 'k')
      expect(mine.cid).toBe('k')
      for (let i = 0; i < 3; i++) await appendMessage(store, 'general', bob, `later ${i}`)
      expect(store.findMessageByCid('general', ann.id, 'k', 10)).toEqual(mine)
      expect(store.findMessageByCid('dev', ann.id, 'k', 10)).toBeUndefined()
      expect(store.findMessageByCid('general', bob.id, 'k', 10)).toBeUndefined()
      expect(store.findMessageByCid('general', ann.id, 'k', 3)).toBeUndefined()
      expect(store.messageById('general', mine.id)).toEqual(mine)
      expect(store.messageById('general', 99)).toBeUndefined()
      const withoutCid = await appendMessage(store, 'general', ann, 'no cid')
      expect('cid' in withoutCid).toBe(false)

      const dm = await appendDm(store, ann, bob, 'hi', 'd-1')
      await appendDm(store, ann, cy, 'hi cy', 'd-1')
      expect(store.findDmByCid(ann.id, bob.id, 'd-1', 10)).toEqual(dm)
      expect(store.findDmByCid(bob.id, ann.id, 'd-1', 10)).toBeUndefined()
      expect(store.findDmByCid(ann.id, bob.id, 'd-1', 1)).toBeUndefined()
    })

    it('creates a room once and lists it', () => {
      expect(store.ensureRoom('dev')).toBe(true)
      expect(store.ensureRoom('dev')).toBe(false)
      expect(store.roomNames()).toContain('dev')
    })

    it('keeps rooms, messages, DMs, counts and sequences across a reopen', async () => {
      store.ensureRoom('dev')
      await appendMessage(store, 'dev', ann, 'a')
      await appendMessage(store, 'dev', ann, 'b')
      await appendDm(store, ann, bob, 'hi')
      await reopen()
      expect(store.roomNames()).toContain('dev')
      expect(store.ensureRoom('dev')).toBe(false)
      expect(store.counts()).toEqual({ messages: 2, dms: 1 })
      expect(store.page('dev', 10).messages.map((m) => m.text)).toEqual(['a', 'b'])
      expect((await appendMessage(store, 'dev', ann, 'c')).id).toBe(3)
      expect((await appendDm(store, bob, ann, 'again')).id).toBe(2)
    })

    it('saves, replaces, loads and deletes sessions by token hash', async () => {
      store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general'], droppedAt: null })
      store.saveSession({ tokenHash: 'h1', user: ann, rooms: ['general', 'dev'], droppedAt: 1234 })
      store.saveSession({ tokenHash: 'h2', user: bob, rooms: [], droppedAt: null })
      store.deleteSession('h2')
      await reopen()
      expect(store.loadSessions()).toEqual([
        { tokenHash: 'h1', user: ann, rooms: ['general', 'dev'], droppedAt: 1234, lastLive: 1234 }
      ])
    })

    it('counts a session with a socket as live at the last stamp, a dropped one at its drop', async () => {
      const savedAt = Date.now()
      store.saveSession({ tokenHash: 'h1', user: ann, rooms: [], droppedAt: null })
      store.saveSession({ tokenHash: 'h2', user: bob, rooms: [], droppedAt: 5 })
      await store.flush()
      // Timers may fire a millisecond early by Date.now()'s clock: wait until it has really moved.
      while (Date.now() < savedAt + 20) await new Promise((resolve) => setTimeout(resolve, 5))
      store.markLiveSessions()
      await reopen()
      const loaded = new Map(store.loadSessions().map((s) => [s.tokenHash, s.lastLive]))
      expect(loaded.get('h1')).toBeGreaterThanOrEqual(savedAt + 20)
      expect(loaded.get('h2')).toBe(5)
    })

    it('flush() calls back what is queued; close() stores what is queued first and is safe twice', async () => {
      store.ensureRoom('general')
      let flushed: ChatMessage | undefined
      store.appendMessage('general', ann, 'flushed', (_error, stored) => (flushed = stored))
      // A store on the network answers a flush asynchronously: await it (a no-op for SQLite's void).
      await store.flush()
      expect(flushed).toMatchObject({ id: 1, text: 'flushed' })
      const last = appendMessage(store, 'general', ann, 'last words')
      store.close()
      store.close()
      expect((await last).id).toBe(2)
      store = await place.open()
      expect(store.page('general', 5).messages.map((m) => m.text)).toEqual(['flushed', 'last words'])
    })

    function appendReply(room: string, from: User, text: string, replyTo: number) {
      return new Promise<ChatMessage>((resolve, reject) =>
        store.appendMessage(room, from, text, (e, m) => (m ? resolve(m) : reject(e)), undefined, undefined, {
          replyTo
        })
      )
    }

    it('keeps replyTo with the message, across a reopen', async () => {
      store.ensureRoom('a')
      const first = await appendMessage(store, 'a', ann, 'first')
      const reply = await appendReply('a', bob, 're', first.id)
      expect(reply.replyTo).toBe(first.id)
      expect(store.messageById('a', reply.id)?.replyTo).toBe(first.id)
      await reopen()
      expect(store.page('a', 5).messages.map((m) => m.replyTo)).toEqual([undefined, first.id])
    })

    // Runs for every store: the flag the suite was given is the store's own, and matches its methods
    // (so a store without them is one the hub answers `unsupported` for, not one that half works).
    it('declares message changes exactly when it has their methods', () => {
      const methods = [store.changeMessage, store.roomRev, store.changesAfter, store.search]
      expect(Boolean(store.messageChanges)).toBe(capabilities.messageChanges)
      expect(methods.map((m) => typeof m)).toEqual(
        methods.map(() => (capabilities.messageChanges ? 'function' : 'undefined'))
      )
    })

    it.skipIf(withoutChanges)(
      'edits, deletes and reacts with one change number per room, seen at once by messageById',
      async () => {
        store.ensureRoom('a')
        store.ensureRoom('b')
        const first = await appendMessage(store, 'a', ann, 'first')
        const reply = await appendReply('a', bob, 're', first.id)
        expect(reply.replyTo).toBe(first.id)
        const other = await appendMessage(store, 'b', ann, 'elsewhere')
        expect(withChanges(store).roomRev('a')).toBe(0)

        const edit = changeMessage(store, 'a', first.id, { kind: 'edit', text: 'first!' })
        // Queued, not yet durable: a check made now already sees the edit.
        expect(store.messageById('a', first.id)?.text).toBe('first!')
        const up = changeMessage(store, 'a', reply.id, {
          kind: 'react',
          emoji: '👍',
          userId: ann.id,
          on: true
        })
        const up2 = changeMessage(store, 'a', reply.id, {
          kind: 'react',
          emoji: '👍',
          userId: cy.id,
          on: true
        })
        expect(await edit).toMatchObject({ text: 'first!', editedAt: expect.any(Number), rev: 1 })
        expect((await up).rev).toBe(2)
        expect(await up2).toMatchObject({ rev: 3, reactions: [{ emoji: '👍', users: [ann.id, cy.id] }] })
        expect((await changeMessage(store, 'b', other.id, { kind: 'delete' })).rev).toBe(1)
        expect(withChanges(store).roomRev('a')).toBe(3)

        const off = await changeMessage(store, 'a', reply.id, {
          kind: 'react',
          emoji: '👍',
          userId: ann.id,
          on: false
        })
        expect(off.reactions).toEqual([{ emoji: '👍', users: [cy.id] }])
        await expect(changeMessage(store, 'a', 999, { kind: 'edit', text: 'x' })).rejects.toThrow()

        await reopen()
        expect(withChanges(store).roomRev('a')).toBe(4)
        expect(store.messageById('b', other.id)).toMatchObject({ text: '', deleted: true, rev: 1 })
        expect(store.messageById('a', reply.id)).toMatchObject({
          replyTo: first.id,
          reactions: [{ users: [cy.id] }]
        })
        // Changes after a number: each changed message once, as it now is, in change order; capped to the newest.
        expect(
          withChanges(store)
            .changesAfter('a', 0, 10)
            .messages.map((m) => [m.id, m.rev])
        ).toEqual([
          [first.id, 1],
          [reply.id, 4]
        ])
        expect(
          withChanges(store)
            .changesAfter('a', 1, 10)
            .messages.map((m) => m.id)
        ).toEqual([reply.id])
        expect(withChanges(store).changesAfter('a', 0, 1)).toMatchObject({
          hasMore: true,
          messages: [{ id: reply.id }]
        })
        expect(withChanges(store).changesAfter('a', 4, 10).messages).toEqual([])
      }
    )

    it.skipIf(withoutChanges)(
      'searches words (the last as a prefix) in the given rooms and the user DMs, newest first',
      async () => {
        store.ensureRoom('a')
        store.ensureRoom('b')
        const old = await appendMessage(store, 'a', ann, 'release notes drafted')
        await appendMessage(store, 'b', ann, 'release party in room b')
        const edited = await appendMessage(store, 'a', bob, 'nothing here')
        const gone = await appendMessage(store, 'a', bob, 'release this soon')
        await appendDm(store, ann, bob, 'about the release')
        await appendDm(store, bob, cy, 'release gossip')
        await changeMessage(store, 'a', edited.id, { kind: 'edit', text: 'released yesterday' })
        await changeMessage(store, 'a', gone.id, { kind: 'delete' })
        const found = withChanges(store).search({
          words: ['releas'],
          rooms: ['a'],
          userId: ann.id,
          limit: 10
        })
        expect(found.messages.map((m) => m.text)).toEqual(['released yesterday', 'release notes drafted'])
        expect(found.dms.map((d) => d.text)).toEqual(['about the release'])
        expect(found.hasMore).toBe(false)
        expect(
          withChanges(store).search({ words: ['release', 'notes'], rooms: ['a', 'b'], userId: '', limit: 10 })
            .messages
        ).toEqual([expect.objectContaining({ id: old.id })])
        const capped = withChanges(store).search({
          words: ['release'],
          rooms: ['a', 'b'],
          userId: bob.id,
          limit: 1
        })
        // Messages stored in the same millisecond have no newest among them: only the count is fixed.
        expect(capped.hasMore).toBe(true)
        expect(capped.messages).toHaveLength(1)
        expect(capped.dms.map((d) => d.text)).toEqual(['release gossip'])
        await reopen()
        expect(
          withChanges(store).search({ words: ['yesterday'], rooms: ['a'], userId: '', limit: 5 }).messages
        ).toHaveLength(1)
        expect(
          withChanges(store).search({ words: [], rooms: ['a'], userId: ann.id, limit: 5 }).messages
        ).toEqual([])
      }
    )
  })
}
