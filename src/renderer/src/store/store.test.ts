import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConnectionEngine } from '../engine/connection-engine'
import { FakeSocket } from '../../../../test-support/renderer/fake-socket'
import { immediateScheduler } from './event-batcher'
import { createPreferencesStore, type Preferences } from './preferences'
import { createLocalPreferences } from './preferences-local'
import { createAppStore, type AppStore } from './index'

const alice = { id: 'u1', nick: 'alice' }
const bob = { id: 'u2', nick: 'bob' }
const chat = (id: number, text: string, from = bob, room = 'general', cid?: string) => ({
  type: 'message',
  room,
  id,
  from,
  text,
  ts: id,
  ...(cid ? { cid } : {})
})

let store: AppStore
let socket: FakeSocket
let now = 1_000_000

function connect(): void {
  store.getState().connect({ url: 'ws://127.0.0.1:1/ws', nick: 'alice' })
  socket = FakeSocket.latest()
}

function admit(): void {
  socket.serverOpens()
  socket.serverSends({
    type: 'welcome',
    user: alice,
    session: 's',
    server: { name: 'test', version: '1', limits: {} },
    rooms: [{ name: 'general', members: 2 }]
  })
  socket.serverSends({
    type: 'joined',
    room: 'general',
    members: [alice, bob],
    history: [chat(1, 'hello')],
    hasMore: true
  })
  const barrier = socket.sentMessages().find((m) => m.type === 'ping')
  socket.serverSends({ type: 'pong', t: barrier?.t, serverTime: 0 })
}

/** Lets the preferences' queued writes finish. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0))

beforeEach(() => {
  FakeSocket.instances = []
  now = 1_000_000
  // A fresh store per test is the reset: no state leaks from one test into the next.
  store = createAppStore({
    createEngine: (options) => new ConnectionEngine({ ...options, WebSocket: FakeSocket, cidPrefix: 'c' }),
    schedule: immediateScheduler,
    now: () => now,
    preferences: createPreferencesStore(createLocalPreferences(null))
  })
})
afterEach(() => store.getState().disconnect())

describe('app store', () => {
  it('goes from connecting to the chat screen with rooms, members and history', () => {
    connect()
    expect(store.getState()).toMatchObject({
      status: 'connecting',
      admitted: false,
      url: 'ws://127.0.0.1:1/ws'
    })
    admit()
    const state = store.getState()
    expect(state).toMatchObject({
      status: 'open',
      admitted: true,
      me: alice,
      current: 'general',
      joinedRooms: ['general']
    })
    expect(state.members.general).toEqual([alice, bob])
    expect(state.logs.general?.entries).toMatchObject([{ kind: 'message', id: 1, text: 'hello' }])
    expect(state.logs.general?.hasMore).toBe(true)
    expect(state.timeline.map((t) => t.state)).toEqual(['connecting', 'authenticating', 'open'])
  })

  it('counts unread messages in other rooms and clears them when the room is opened', () => {
    connect()
    admit()
    socket.serverSends({ type: 'joined', room: 'random', members: [alice], history: [] })
    store.getState().selectChannel('general')
    socket.serverSends(chat(2, 'psst', bob, 'random'))
    socket.serverSends(chat(3, 'again', bob, 'random'))
    socket.serverSends(chat(4, 'here', bob, 'general'))
    expect(store.getState().unread).toEqual({ random: 2 })
    store.getState().selectChannel('random')
    expect(store.getState().unread.random).toBe(0)
    // Leaving #general remembers where it was read up to, for the "New" line on return.
    expect(store.getState().lastRead.general).toBe(4)
  })

  it('applies edits, deletions and reactions, replies with replyTo, and resumes with the change numbers', () => {
    connect()
    admit()
    socket.serverSends({ type: 'edited', room: 'general', id: 1, text: 'hello!', editedAt: 5, rev: 1 })
    socket.serverSends({
      type: 'reactions',
      room: 'general',
      id: 1,
      reactions: [{ emoji: '👍', users: ['u2'] }],
      rev: 2
    })
    const entry = () => store.getState().logs.general!.entries.find((e) => e.kind === 'message' && e.id === 1)
    expect(entry()).toMatchObject({
      text: 'hello!',
      editedAt: 5,
      reactions: [{ emoji: '👍', users: ['u2'] }]
    })
    // Toggling sends on or off by whether I am among the reactors.
    store.getState().toggleReaction(1, '👍')
    store.getState().startReply(1)
    store.getState().sendMessage('answer')
    expect(socket.sentMessages().slice(-2)).toEqual([
      { type: 'react', room: 'general', id: 1, emoji: '👍', on: true },
      { type: 'send', room: 'general', text: 'answer', cid: expect.any(String), replyTo: 1 }
    ])
    expect(store.getState().replyingTo).toBeNull()
    socket.serverSends({ type: 'deleted', room: 'general', id: 1, rev: 3 })
    expect(entry()).toMatchObject({ text: '', deleted: true })
    expect(entry()).not.toHaveProperty('reactions')

    // The next hello carries the last change number, so the server replays what was missed.
    socket.serverCloses(1006)
    now += 60_000
    store.getState().reconnectNow()
    socket = FakeSocket.latest()
    socket.serverOpens()
    expect(socket.sentMessages()[0]).toMatchObject({ type: 'hello', changes: { general: 3 } })
  })

  it('tracks presence as member changes and system lines', () => {
    connect()
    admit()
    const carol = { id: 'u3', nick: 'carol' }
    socket.serverSends({ type: 'presence', room: 'general', event: 'join', user: carol })
    socket.serverSends({ type: 'presence', room: 'general', event: 'leave', user: bob })
    expect(store.getState().members.general).toEqual([alice, carol])
    expect(
      store
        .getState()
        .logs.general?.entries.filter((e) => e.kind === 'system')
        .map((e) => e.text)
    ).toEqual(['carol joined #general', 'bob left #general'])
  })

  it('applies a presence batch in order, skipping the viewer itself and what it already knows', () => {
    connect()
    admit()
    const carol = { id: 'u3', nick: 'carol' }
    socket.serverSends({
      type: 'presence_batch',
      room: 'general',
      events: [
        { event: 'join', user: alice },
        { event: 'join', user: bob },
        { event: 'leave', user: bob },
        { event: 'join', user: carol },
        { event: 'join', user: bob }
      ]
    })
    expect(store.getState().members.general).toEqual([alice, carol, bob])
    const lines = () =>
      store
        .getState()
        .logs.general?.entries.filter((e) => e.kind === 'system')
        .map((e) => e.text)
    expect(lines()).toEqual(['bob left #general', 'carol joined #general', 'bob joined #general'])

    const crowd = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, nick: `guest${i}` }))
    socket.serverSends({
      type: 'presence_batch',
      room: 'general',
      events: [...crowd.map((user) => ({ event: 'join', user })), { event: 'leave', user: carol }]
    })
    expect(store.getState().members.general).toEqual([alice, bob, ...crowd])
    expect(lines()?.slice(3)).toEqual(['12 people joined #general', '1 person left #general'])
  })

  it('pages a large room in: the count from joined, more members on request, presence keeps the count', () => {
    connect()
    admit()
    const guest = (i: number) => ({ id: `g${i}`, nick: `guest${i}` })
    // The room in join order: guest0–guest4, then alice; the first page holds two.
    socket.serverSends({
      type: 'joined',
      room: 'big',
      members: [guest(0), guest(1)],
      memberCount: 6,
      history: []
    })
    expect(store.getState().memberPaging.big).toEqual({ total: 6, loaded: 2, loading: false })
    // One's own entry is past the first page but listed anyway.
    expect(store.getState().members.big).toEqual([guest(0), guest(1), alice])

    store.getState().loadMoreMembers('big')
    store.getState().loadMoreMembers('big') // while one page is on its way, no second request
    const asked = socket.sentMessages().filter((m) => m.type === 'members')
    expect(asked).toEqual([{ type: 'members', room: 'big', offset: 2, limit: 200 }])
    expect(store.getState().memberPaging.big?.loading).toBe(true)

    // Someone not listed yet leaves, someone new joins: the count follows both.
    socket.serverSends({ type: 'presence', room: 'big', event: 'leave', user: guest(4) })
    expect(store.getState().memberPaging.big?.total).toBe(5)
    socket.serverSends({ type: 'presence', room: 'big', event: 'join', user: guest(9) })
    expect(store.getState().memberPaging.big?.total).toBe(6)
    socket.serverSends({
      type: 'members',
      room: 'big',
      offset: 2,
      members: [guest(2), guest(3), alice, guest(9)],
      total: 6
    })
    expect(store.getState().members.big).toEqual([guest(0), guest(1), alice, guest(9), guest(2), guest(3)])
    expect(store.getState().memberPaging.big).toEqual({ total: 6, loaded: 6, loading: false })
    store.getState().loadMoreMembers('big')
    expect(socket.sentMessages().filter((m) => m.type === 'members')).toHaveLength(1)
  })

  it('files direct messages under the other person, both directions', () => {
    connect()
    admit()
    store.getState().openDm(bob)
    expect(store.getState().current).toBe('@u2')
    store.getState().sendMessage('hi bob  ')
    const sent = socket.sentMessages().find((m) => m.type === 'dm')
    expect(sent).toMatchObject({ to: 'u2', text: 'hi bob' })
    expect(store.getState().outbox).toMatchObject([{ status: 'pending', text: 'hi bob' }])
    socket.serverSends({ type: 'dm', id: 9, from: alice, to: bob, text: 'hi bob', ts: 1, cid: sent?.cid })
    socket.serverSends({ type: 'dm', id: 10, from: bob, to: alice, text: 'hey', ts: 2 })
    const state = store.getState()
    expect(state.outbox).toEqual([])
    expect(state.logs['@u2']?.entries.map((e) => e.text)).toEqual(['hi bob', 'hey'])
    expect(state.dms).toEqual([{ id: 'u2', nick: 'bob' }])
  })

  it('merges the replay after a reconnect without duplicates', () => {
    connect()
    admit()
    socket.serverSends(chat(2, 'two'))
    socket.serverCloses(1006)
    expect(store.getState()).toMatchObject({ status: 'reconnecting', closes: [{ code: 1006 }] })
    expect(store.getState().nextAttemptAt).toBeTypeOf('number')
    store.getState().reconnectNow()
    socket = FakeSocket.latest()
    socket.serverOpens()
    expect(socket.sentMessages()[0]).toMatchObject({ resume: { general: 2 } })
    socket.serverSends({
      type: 'welcome',
      user: alice,
      session: 's',
      resumed: true,
      server: { name: 'test', version: '1', limits: {} },
      rooms: []
    })
    socket.serverSends({
      type: 'joined',
      room: 'general',
      members: [alice],
      history: [chat(2, 'two'), chat(3, 'three')]
    })
    expect(store.getState().logs.general?.entries.map((e) => e.text)).toEqual(['hello', 'two', 'three'])
  })

  it('explains a wrong password and stays on the connect screen', () => {
    connect()
    socket.serverOpens()
    socket.serverCloses(4401, 'bad password')
    expect(store.getState()).toMatchObject({
      admitted: false,
      status: 'closed',
      problem: { code: 4401, title: 'Wrong password', canRetry: false }
    })
  })

  it('validates room names before asking the server', () => {
    connect()
    admit()
    expect(store.getState().joinRoom('No Spaces!')).toMatch(/a–z/)
    expect(store.getState().joinRoom('#Random')).toBeNull()
    expect(socket.sentMessages().at(-1)).toEqual({ type: 'join', room: 'random' })
  })

  it('sends typing notices at most every 3 s and asks for older history before the oldest shown', () => {
    connect()
    admit()
    const typing = () => socket.sentMessages().filter((m) => m.type === 'typing')
    store.getState().notifyTyping()
    store.getState().notifyTyping()
    now += 2999
    store.getState().notifyTyping()
    expect(typing()).toHaveLength(1)
    now += 1
    store.getState().notifyTyping()
    expect(typing()).toHaveLength(2)

    store.getState().loadOlder('general')
    store.getState().loadOlder('general')
    expect(socket.sentMessages().filter((m) => m.type === 'history')).toEqual([
      { type: 'history', room: 'general', before: 1, limit: 200 }
    ])
    expect(store.getState().logs.general?.loadingOlder).toBe(true)
    socket.serverSends({ type: 'history', room: 'general', messages: [chat(0, 'zero')], hasMore: false })
    expect(store.getState().logs.general).toMatchObject({ loadingOlder: false, hasMore: false, prepended: 1 })
  })

  it('forgets the whole connection on disconnect', () => {
    connect()
    admit()
    store.getState().disconnect()
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Bye' })
    expect(store.getState()).toMatchObject({ engine: null, admitted: false, logs: {}, joinedRooms: [] })
  })

  it('takes back the session the desktop app kept from last time, and signing out forgets it', async () => {
    let file: Preferences = {
      nickname: 'alice',
      theme: 'system',
      notifications: true,
      recentServers: [
        {
          url: 'ws://127.0.0.1:1/ws',
          nick: 'alice',
          lastUsedAt: 1,
          lastSession: { token: 'kept-token', resume: {} }
        }
      ]
    }
    // The settings file behind the bridge, in memory: its real path is covered by e2e/bridge.spec.ts.
    const preferences = createPreferencesStore({
      kind: 'desktop',
      load: () => Promise.resolve(file),
      save: (patch) => Promise.resolve((file = { ...file, ...patch }))
    })
    await preferences.getState().load()
    store = createAppStore({
      createEngine: (options) => new ConnectionEngine({ ...options, WebSocket: FakeSocket, cidPrefix: 'c' }),
      schedule: immediateScheduler,
      now: () => now,
      preferences
    })
    connect()
    socket.serverOpens()
    expect(socket.sentMessages().find((m) => m.type === 'hello')).toMatchObject({ session: 'kept-token' })
    admit()
    await settled()
    // The welcome's token ('s') replaces the old one, for the next start.
    expect(preferences.getState().sessionToken('ws://127.0.0.1:1/ws', 'alice')).toBe('s')

    store.getState().disconnect()
    await settled()
    expect(preferences.getState().sessionToken('ws://127.0.0.1:1/ws', 'alice')).toBeUndefined()
    expect(file.recentServers).toEqual([{ url: 'ws://127.0.0.1:1/ws', nick: 'alice', lastUsedAt: now }])
  })
})

describe('room list refresh', () => {
  const roomsAsked = () => socket.sentMessages().filter((m) => m.type === 'rooms').length

  it('asks for the room list again when a frame names a room the last list did not have, at most once per 5 s', () => {
    connect()
    admit()
    // Rooms the welcome listed (general) are known: nothing to ask.
    socket.serverSends(chat(2, 'known room'))
    expect(roomsAsked()).toBe(0)

    socket.serverSends({ type: 'joined', room: 'fresh', members: [alice], history: [] })
    expect(roomsAsked()).toBe(1)
    socket.serverSends({ type: 'presence', room: 'other', event: 'join', user: bob })
    expect(roomsAsked()).toBe(1)

    now += 5000
    socket.serverSends({
      type: 'rooms',
      rooms: [
        { name: 'general', members: 2 },
        { name: 'fresh', members: 1 }
      ]
    })
    expect(store.getState().serverRooms.map((r) => r.name)).toEqual(['general', 'fresh'])
    socket.serverSends(chat(3, 'in a known room now', bob, 'fresh'))
    expect(roomsAsked()).toBe(1)
    socket.serverSends({ type: 'presence_batch', room: 'newer', events: [{ event: 'join', user: bob }] })
    expect(roomsAsked()).toBe(2)
  })
})
