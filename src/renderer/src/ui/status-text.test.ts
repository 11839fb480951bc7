import { describe, expect, it } from 'vitest'
import { statusText } from './status-text'

describe('statusText', () => {
  it('counts down to the next reconnect in whole seconds', () => {
    expect(statusText('reconnecting', 10_000, 6_001)).toBe('Reconnecting in 4 s')
    expect(statusText('reconnecting', 10_000, 10_000)).toBe('Reconnecting…')
    expect(statusText('reconnecting', null, 0)).toBe('Reconnecting…')
  })

  it('calls a new socket after a drop reconnecting, not a first sign-in', () => {
    expect(statusText('connecting', null, 0)).toBe('Connecting…')
    expect(statusText('connecting', null, 0, true)).toBe('Reconnecting…')
    expect(statusText('authenticating', null, 0, true)).toBe('Reconnecting…')
  })

  it('names every state in words', () => {
    expect(statusText('open', null, 0)).toBe('Connected')
    expect(statusText('offline', null, 0)).toBe('Offline')
    expect(statusText('closed', null, 0)).toBe('Disconnected')
  })
})
