/**
 * The Broker contract (src/main/server/broker.ts), as a suite any implementation runs: today the
 * in-process broker, later the Redis one. Written against the interface only: connections are
 * plain objects the broker hands back to `deliver`, which records what each one got.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ServerMessage, User } from '../../src/shared/protocol'
import type { Broker, Deliver } from '../../src/main/server/broker'
import type { OutboundFrame } from '../../src/main/server/fanout'

export interface FakeConnection {
  readonly name: string
  readonly frames: OutboundFrame[]
}

export type BrokerFactory = (
  deliver: Deliver<FakeConnection>
) => Broker<FakeConnection> | Promise<Broker<FakeConnection>>

const ann: User = { id: 'u_ann', nick: 'ann' }
const bob: User = { id: 'u_bob', nick: 'bob' }
const cy: User = { id: 'u_cy', nick: 'cy' }

function connection(name: string): FakeConnection {
  return { name, frames: [] }
}

/** What a connection got, parsed (a frame's text is the JSON of one server message). */
function received(c: FakeConnection): ServerMessage[] {
  return c.frames.map((frame) => JSON.parse(frame.text) as ServerMessage)
}

/** Presence is coalesced over a window (one event-loop turn for a small room): wait it out. */
function presenceWindow(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20))
}

export function describeBrokerContract(name: string, createBroker: BrokerFactory): void {
  describe(`Broker contract: ${name}`, () => {
    let broker: Broker<FakeConnection>
    const deliver: Deliver<FakeConnection> = (c, frame) => c.frames.push(frame)

    beforeEach(async () => {
      broker = await createBroker(deliver)
    })

    afterEach(() => broker.dispose())

    it('knows rooms without members and lists them by name with their member counts', () => {
      broker.addRoom('general')
      broker.addRoom('dev')
      broker.addRoom('dev')
      broker.join('ops', connection('a'), ann)
      expect(broker.hasRoom('dev')).toBe(true)
      expect(broker.hasRoom('nowhere')).toBe(false)
      expect(broker.roomCount).toBe(3)
      expect(broker.roomSummaries()).toEqual([
        { name: 'dev', members: 0 },
        { name: 'general', members: 0 },
        { name: 'ops', members: 1 }
      ])
    })

    it('forgets an empty room on removeRoom, and never one that has members', () => {
      broker.addRoom('empty')
      broker.join('busy', connection('a'), ann)
      broker.removeRoom('empty')
      broker.removeRoom('busy')
      broker.removeRoom('nowhere')
      expect(broker.hasRoom('empty')).toBe(false)
      expect(broker.hasRoom('busy')).toBe(true)
      expect(broker.roomCount).toBe(1)
    })

    it('publishes one frame, the same object, to every member but the one excepted', () => {
      const [a, b, c, outsider] = ['a', 'b', 'c', 'outsider'].map(connection) as FakeConnection[]
      broker.join('general', a!, ann)
      broker.join('general', b!, bob)
      broker.join('general', c!, cy)
      broker.join('dev', outsider!, { id: 'u_out', nick: 'out' })
      const message: ServerMessage = { type: 'typing', room: 'general', user: ann }
      broker.publish('general', message, a)
      expect(a!.frames).toEqual([])
      expect(received(b!)).toEqual([message])
      expect(c!.frames[0]).toBe(b!.frames[0])
      expect(outsider!.frames).toEqual([])
      broker.publish('empty-room', message)
    })

    it('tracks members in join order, pages them, and forgets those who leave', () => {
      const members = Array.from({ length: 5 }, (_, i) => connection(`m${i}`))
      const users = members.map((_, i) => ({ id: `u_${i}`, nick: `n${i}` }))
      members.forEach((m, i) => broker.join('general', m, users[i]!))
      expect(broker.memberCount('general')).toBe(5)
      expect(broker.members('general', 0, 3)).toEqual(users.slice(0, 3))
      expect(broker.members('general', 3, 3)).toEqual(users.slice(3))
      expect(broker.isMember('general', members[1]!)).toBe(true)
      broker.leave('general', members[1]!)
      broker.leave('general', connection('never-joined'))
      expect(broker.isMember('general', members[1]!)).toBe(false)
      expect(broker.memberCount('general')).toBe(4)
      expect(broker.members('general', 0, 10).map((u) => u.id)).toEqual(['u_0', 'u_2', 'u_3', 'u_4'])
      expect(broker.memberCount('nowhere')).toBe(0)
      expect(broker.members('nowhere', 0, 10)).toEqual([])
      // A rejoin goes to the end: a swap of connections (a resume) keeps the member list in order of arrival.
      broker.join('general', members[1]!, users[1]!)
      expect(broker.members('general', 0, 10).map((u) => u.id)).toEqual(['u_0', 'u_2', 'u_3', 'u_4', 'u_1'])
    })

    it('sends a lone join to every member but the joiner, and several events as one batch, in order', async () => {
      const a = connection('a')
      const b = connection('b')
      broker.join('general', a, ann)
      broker.join('general', b, bob)
      broker.presence('general', 'join', bob, b)
      await presenceWindow()
      expect(received(a)).toEqual([{ type: 'presence', room: 'general', event: 'join', user: bob }])
      expect(b.frames).toEqual([])

      broker.leave('general', b)
      broker.presence('general', 'leave', bob)
      broker.presence('general', 'join', cy)
      await presenceWindow()
      expect(received(a).slice(1)).toEqual([
        {
          type: 'presence_batch',
          room: 'general',
          events: [
            { event: 'leave', user: bob },
            { event: 'join', user: cy }
          ]
        }
      ])
    })

    it('sends queued presence before a message published to the room', () => {
      const a = connection('a')
      const b = connection('b')
      broker.join('general', a, ann)
      broker.join('general', b, bob)
      broker.presence('general', 'join', bob, b)
      const message: ServerMessage = { type: 'typing', room: 'general', user: bob }
      broker.publish('general', message, b)
      expect(received(a)).toEqual([{ type: 'presence', room: 'general', event: 'join', user: bob }, message])
    })

    it("delivers to a user's current connection only, and only while it is attached", () => {
      const first = connection('first')
      const second = connection('second')
      const dm: ServerMessage = { type: 'dm', id: 1, from: bob, to: ann, text: 'hi', ts: 1 }
      broker.publishToUser(ann.id, dm)
      expect(broker.isOnline(ann.id)).toBe(false)
      broker.attachUser(ann.id, first)
      broker.attachUser(ann.id, second)
      expect(broker.isOnline(ann.id)).toBe(true)
      broker.publishToUser(ann.id, dm)
      // The first connection was replaced: its late detach must not take the user offline.
      broker.detachUser(ann.id, first)
      broker.publishToUser(ann.id, dm)
      expect(first.frames).toEqual([])
      expect(received(second)).toEqual([dm, dm])
      broker.detachUser(ann.id, second)
      expect(broker.isOnline(ann.id)).toBe(false)
      broker.publishToUser(ann.id, dm)
      expect(second.frames).toHaveLength(2)
    })

    it('refuses a nick another user holds, whatever its case, compatibility form or look-alike letters', () => {
      const holder: User = { id: 'u_1', nick: 'Ann' }
      expect(broker.claimNick(holder)).toEqual({ ok: true })
      broker.attachUser(holder.id, connection('a'))
      expect(broker.claimNick({ id: 'u_2', nick: 'ann' })).toEqual({ ok: false })
      expect(broker.claimNick({ id: 'u_3', nick: 'Ａｎｎ' })).toEqual({ ok: false })
      expect(broker.claimNick({ id: 'u_5', nick: '\u0410nn' })).toEqual({ ok: false })
      expect(broker.claimNick({ id: 'u_4', nick: 'bob' }).ok).toBe(true)
      // The holder itself may claim its nick again.
      expect(broker.claimNick(holder)).toEqual({ ok: true })
    })

    it('keeps a dropped holder’s nick until it is released; releasing is only the holder’s to do', () => {
      const first: User = { id: 'u_1', nick: 'ann' }
      const second: User = { id: 'u_2', nick: 'ANN' }
      const a = connection('a')
      broker.claimNick(first)
      broker.attachUser(first.id, a)
      broker.detachUser(first.id, a)
      // Dropped, but its session may still resume: the nick is still its own.
      expect(broker.claimNick(second)).toEqual({ ok: false })
      broker.releaseNick(second)
      expect(broker.claimNick(second)).toEqual({ ok: false })
      broker.releaseNick(first)
      expect(broker.claimNick(second)).toEqual({ ok: true })
    })
  })
}
