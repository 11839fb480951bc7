import { afterEach, describe, expect, it } from 'vitest'
import { createSessionRegistry, newUser, type Session, type SessionRegistry } from './session-registry'

let registry: SessionRegistry<object> | undefined
afterEach(() => registry?.dispose())

function droppedFrom(address: string | undefined, nick: string, evicted: string[]): Session<object> {
  const session = registry!.create(newUser(nick))
  session.address = address
  registry!.dropped(session, (gone) => evicted.push(gone.user.nick))
  return session
}

describe('dropped-session cap per address', () => {
  it("evicts an address's own oldest dropped sessions first, never another's", () => {
    registry = createSessionRegistry<object>(60_000, 10, 3)
    const evicted: string[] = []
    droppedFrom('10.0.0.2', 'victim', evicted)
    for (let i = 0; i < 50; i++) droppedFrom('10.0.0.1', `churn${i}`, evicted)
    expect(evicted).toEqual(Array.from({ length: 47 }, (_, i) => `churn${i}`))
    expect(registry.size).toBe(4)
  })

  it('still applies the global cap across addresses, oldest first', () => {
    registry = createSessionRegistry<object>(60_000, 4, 3)
    const evicted: string[] = []
    for (const address of ['a', 'b', 'c', 'd', 'e']) droppedFrom(address, address, evicted)
    expect(evicted).toEqual(['a'])
  })

  it('counts restored sessions (no address yet) against the global cap only', () => {
    registry = createSessionRegistry<object>(60_000, 10, 1)
    const evicted: string[] = []
    for (let i = 0; i < 5; i++) droppedFrom(undefined, `restored${i}`, evicted)
    expect(evicted).toEqual([])
  })

  it('forgets a resumed session from its old address, so it does not count twice', () => {
    registry = createSessionRegistry<object>(60_000, 10, 2)
    const evicted: string[] = []
    const roaming = droppedFrom('home', 'roaming', evicted)
    registry.revived(roaming)
    roaming.address = 'office'
    registry.dropped(roaming, (gone) => evicted.push(gone.user.nick))
    droppedFrom('home', 'h1', evicted)
    droppedFrom('home', 'h2', evicted)
    expect(evicted).toEqual([])
  })
})
