/**
 * Edit, delete, reply and react over real sockets: who may, what every member sees, what history
 * carries afterwards, what a restart keeps and what a resuming client is told it missed.
 */
import { describe, expect, it } from 'vitest'
import {
  connect,
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestClient,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer
const { clients, join } = serverTestFixture(() => server)

async function pair() {
  const ann = await join('ann')
  const bob = await join('bob')
  await ann.client.next('presence')
  return { ann, bob }
}

/** Sends and waits for the sender's own copy (its cid), leaving others' messages queued. */
async function say(client: TestClient, text: string, extra: Record<string, unknown> = {}) {
  const cid = `c${Math.random()}`
  client.send({ type: 'send', room: 'general', text, cid, ...extra })
  for (let i = 0; i < 50; i++) {
    const message = await client.next('message')
    if (message.cid === cid) return message
  }
  throw new Error(`no copy of ${cid}`)
}

describe('edit', () => {
  it('the author edits; every member gets edited; history carries the new text and editedAt', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const sent = await say(ann.client, 'helo')
    await bob.client.next('message')
    ann.client.send({ type: 'edit', room: 'general', id: sent.id, text: 'hello' })
    const seenByBob = await bob.client.next('edited')
    expect(seenByBob).toMatchObject({ room: 'general', id: sent.id, text: 'hello', rev: 1 })
    expect(seenByBob.editedAt).toBeGreaterThanOrEqual(sent.ts)
    expect(await ann.client.next('edited')).toEqual(seenByBob)
    bob.client.send({ type: 'history', room: 'general' })
    const page = await bob.client.next('history')
    expect(page.messages.at(-1)).toMatchObject({ id: sent.id, text: 'hello', editedAt: seenByBob.editedAt })
  })

  it('anyone else gets forbidden and keeps the connection; the text is unchanged', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const sent = await say(ann.client, 'mine')
    bob.client.send({ type: 'edit', room: 'general', id: sent.id, text: 'yours now' })
    expect(await bob.client.next('error')).toMatchObject({ code: 'forbidden', ref: 'edit' })
    bob.client.send({ type: 'ping', t: 5 })
    expect(await bob.client.next('pong')).toMatchObject({ t: 5 })
    expect(ann.client.queued('edited')).toEqual([])
    bob.client.send({ type: 'history', room: 'general' })
    expect((await bob.client.next('history')).messages.at(-1)?.text).toBe('mine')
  })

  it('a missing message, a room not joined and a text over the limit each have their error', async () => {
    server = await startTestServer({ limits: { maxTextLength: 10 } })
    const { ann } = await pair()
    const sent = await say(ann.client, 'short')
    ann.client.send({ type: 'edit', room: 'general', id: 999, text: 'x' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'no_such_message', ref: 'edit' })
    ann.client.send({ type: 'edit', room: 'elsewhere', id: sent.id, text: 'x' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'not_in_room' })
    ann.client.send({ type: 'edit', room: 'general', id: sent.id, text: 'far too long' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'text_too_long', ref: 'edit' })
  })
})

describe('delete', () => {
  it('the author deletes; members get deleted; history keeps the slot with no text', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const sent = await say(ann.client, 'oops')
    ann.client.send({ type: 'react', room: 'general', id: sent.id, emoji: '👍', on: true })
    await bob.client.next('reactions')
    ann.client.send({ type: 'delete', room: 'general', id: sent.id })
    expect(await bob.client.next('deleted')).toEqual({
      type: 'deleted',
      room: 'general',
      id: sent.id,
      rev: 2
    })
    bob.client.send({ type: 'history', room: 'general' })
    const gone = (await bob.client.next('history')).messages.find((m) => m.id === sent.id)
    expect(gone).toMatchObject({ id: sent.id, from: ann.welcome.user, text: '', deleted: true })
    expect(gone?.reactions).toBeUndefined()
    // A deleted message cannot be edited, reacted to or deleted again.
    ann.client.send({ type: 'edit', room: 'general', id: sent.id, text: 'back' })
    expect(await ann.client.next('error')).toMatchObject({ code: 'no_such_message' })
  })

  it("someone else's message is forbidden", async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const sent = await say(ann.client, 'keep me')
    bob.client.send({ type: 'delete', room: 'general', id: sent.id })
    expect(await bob.client.next('error')).toMatchObject({ code: 'forbidden', ref: 'delete' })
    expect(ann.client.queued('deleted')).toEqual([])
  })
})

describe('reply', () => {
  it('carries replyTo to everyone and in history; a reply to a missing message is refused', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const first = await say(ann.client, 'question?')
    await bob.client.next('message')
    const answer = await say(bob.client, 'answer', { replyTo: first.id })
    expect(answer.replyTo).toBe(first.id)
    expect((await ann.client.next('message')).replyTo).toBe(first.id)
    // Without a cid too (the shared copy path).
    bob.client.send({ type: 'send', room: 'general', text: 'again', replyTo: first.id })
    expect((await ann.client.next('message')).replyTo).toBe(first.id)
    bob.client.send({ type: 'history', room: 'general' })
    expect((await bob.client.next('history')).messages.at(-1)?.replyTo).toBe(first.id)
    bob.client.send({ type: 'send', room: 'general', text: 'to nothing', cid: 'x', replyTo: 4242 })
    expect(await bob.client.next('error')).toMatchObject({ code: 'no_such_message', ref: 'x' })
  })
})

describe('react', () => {
  it('toggles, counts per emoji in reaction order, and is idempotent per user', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const sent = await say(ann.client, 'party')
    const react = (client: TestClient, emoji: string, on: boolean) =>
      client.send({ type: 'react', room: 'general', id: sent.id, emoji, on })
    react(ann.client, '🎉', true)
    expect((await bob.client.next('reactions')).reactions).toEqual([
      { emoji: '🎉', users: [ann.welcome.user.id] }
    ])
    react(bob.client, '🎉', true)
    react(bob.client, '🎉', true)
    react(bob.client, ':+1:', true)
    await bob.client.next('reactions')
    await bob.client.next('reactions')
    const third = await bob.client.next('reactions')
    expect(third.reactions).toEqual([
      { emoji: '🎉', users: [ann.welcome.user.id, bob.welcome.user.id] },
      { emoji: ':+1:', users: [bob.welcome.user.id] }
    ])
    react(ann.client, '🎉', false)
    expect((await bob.client.next('reactions')).reactions[0]).toEqual({
      emoji: '🎉',
      users: [bob.welcome.user.id]
    })
    bob.client.send({ type: 'history', room: 'general' })
    expect((await bob.client.next('history')).messages.at(-1)?.reactions).toHaveLength(2)
  })

  it('refuses an emoji over the length limit and one emoji more than the per-message limit', async () => {
    server = await startTestServer({ limits: { maxReactionsPerMessage: 2, maxEmojiLength: 8 } })
    const { ann } = await pair()
    const sent = await say(ann.client, 'limits')
    const react = (emoji: string) =>
      ann.client.send({ type: 'react', room: 'general', id: sent.id, emoji, on: true })
    react(':this_is_long:')
    expect(await ann.client.next('error')).toMatchObject({ code: 'emoji_too_long', ref: 'react' })
    react('a')
    react('b')
    await ann.client.next('reactions')
    await ann.client.next('reactions')
    react('c')
    expect(await ann.client.next('error')).toMatchObject({ code: 'too_many_reactions', ref: 'react' })
    // An emoji already there still takes another user, and one off is always fine.
    ann.client.send({ type: 'react', room: 'general', id: sent.id, emoji: 'a', on: false })
    expect((await ann.client.next('reactions')).reactions).toEqual([
      { emoji: 'b', users: [ann.welcome.user.id] }
    ])
  })
})

describe('changes survive and are replayed', () => {
  it('a restart keeps edits, deletions, reactions and replies', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const a = await say(ann.client, 'one')
    const b = await say(ann.client, 'two')
    const c = await say(bob.client, 'three', { replyTo: a.id })
    ann.client.send({ type: 'edit', room: 'general', id: a.id, text: 'one!' })
    ann.client.send({ type: 'delete', room: 'general', id: b.id })
    bob.client.send({ type: 'react', room: 'general', id: c.id, emoji: '❤️', on: true })
    await ann.client.next('edited')
    await ann.client.next('deleted')
    await ann.client.next('reactions')
    await Promise.all(clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server)
    const carl = await join('carl')
    carl.client.send({ type: 'history', room: 'general' })
    const messages = (await carl.client.next('history')).messages
    expect(messages.find((m) => m.id === a.id)).toMatchObject({ text: 'one!', editedAt: expect.any(Number) })
    expect(messages.find((m) => m.id === b.id)).toMatchObject({ text: '', deleted: true })
    expect(messages.find((m) => m.id === c.id)).toMatchObject({
      replyTo: a.id,
      reactions: [{ emoji: '❤️', users: [bob.welcome.user.id] }]
    })
    // The change numbers go on from where they were.
    ann.client.close()
    const again = await join('ann2')
    again.client.send({ type: 'react', room: 'general', id: c.id, emoji: '🙂', on: true })
    expect((await again.client.next('reactions')).rev).toBe(4)
  })

  it('a resuming client gets the changes it missed to messages it already had, once', async () => {
    server = await startTestServer()
    const { ann, bob } = await pair()
    const a = await say(ann.client, 'first')
    const b = await say(ann.client, 'second')
    await bob.client.next('message')
    await bob.client.next('message')
    bob.client.send({ type: 'react', room: 'general', id: a.id, emoji: '👍', on: true })
    const seenRev = (await bob.client.next('reactions')).rev

    await bob.client.close(4000, 'network went away')
    ann.client.send({ type: 'edit', room: 'general', id: a.id, text: 'first, edited' })
    ann.client.send({ type: 'delete', room: 'general', id: b.id })
    ann.client.send({ type: 'react', room: 'general', id: a.id, emoji: '👀', on: true })
    await ann.client.next('edited')
    await ann.client.next('deleted')
    await ann.client.next('reactions') // bob's, before he dropped
    const last = await ann.client.next('reactions')

    const back = await connect(server.url)
    clients.push(back)
    back.send({
      type: 'hello',
      nick: 'bob',
      session: bob.welcome.session,
      resume: { general: b.id },
      changes: { general: seenRev }
    })
    await back.next('welcome')
    const joined = await back.next('joined')
    expect(joined.history).toEqual([])
    expect(joined.rev).toBe(last.rev)
    // One entry per changed message, in the state it is in now, ordered by its last change.
    expect(joined.changes?.map((m) => [m.id, m.text, m.deleted ?? false])).toEqual([
      [b.id, '', true],
      [a.id, 'first, edited', false]
    ])
    expect(joined.changes?.[1]?.reactions?.map((r) => r.emoji)).toEqual(['👍', '👀'])
    // Up to date: a resume with the latest rev carries no changes.
    await back.close(4000, 'again')
    const third = await connect(server.url)
    clients.push(third)
    third.send({
      type: 'hello',
      nick: 'bob',
      session: bob.welcome.session,
      resume: { general: b.id },
      changes: { general: last.rev }
    })
    await third.next('welcome')
    expect((await third.next('joined')).changes).toBeUndefined()
  })
})
