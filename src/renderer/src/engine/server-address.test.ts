import { describe, expect, it } from 'vitest'
import { displayServerAddress, joinLinkFingerprint, normalizeServerAddress } from './server-address'

describe('normalizeServerAddress', () => {
  it.each([
    ['192.168.1.20:8080', 'ws://192.168.1.20:8080/ws'],
    ['  localhost:8080  ', 'ws://localhost:8080/ws'],
    ['ws://chat.lan:9000', 'ws://chat.lan:9000/ws'],
    ['ws://chat.lan:9000/ws', 'ws://chat.lan:9000/ws'],
    ['http://10.0.0.5:8080/', 'ws://10.0.0.5:8080/ws'],
    ['https://chat.example.com', 'wss://chat.example.com/ws'],
    ['wss://chat.example.com:8443/anything', 'wss://chat.example.com:8443/ws'],
    ['[::1]:8080', 'ws://[::1]:8080/ws'],
    ['chat.lan', 'ws://chat.lan/ws']
  ])('%s → %s', (input, url) => {
    expect(normalizeServerAddress(input)).toEqual({ ok: true, url })
  })

  it('explains what is wrong instead of throwing', () => {
    expect(normalizeServerAddress('')).toMatchObject({ ok: false, code: 'invalid_address' })
    expect(normalizeServerAddress('ftp://host:21')).toMatchObject({
      ok: false,
      message: expect.stringContaining('ftp:')
    })
    expect(normalizeServerAddress('host:notaport')).toMatchObject({ ok: false })
  })

  it('shows a stored URL back as host:port', () => {
    expect(displayServerAddress('ws://10.0.0.5:8080/ws')).toBe('10.0.0.5:8080')
    expect(displayServerAddress('wss://chat.example.com/ws')).toBe('wss://chat.example.com')
  })
})

describe('joinLinkFingerprint', () => {
  const fp = '0f'.repeat(32)
  it('reads #fp= from a join link, which still normalizes to the wss:// URL', () => {
    expect(joinLinkFingerprint(`https://192.168.1.20:8443/#fp=${fp}`)).toBe(fp)
    expect(
      joinLinkFingerprint(`https://192.168.1.20:8443/#fp=${fp.toUpperCase().match(/../g)!.join(':')}`)
    ).toBe(fp)
    expect(normalizeServerAddress(`https://192.168.1.20:8443/#fp=${fp}`)).toEqual({
      ok: true,
      url: 'wss://192.168.1.20:8443/ws'
    })
  })
  it('is undefined without one, or with something that is not a SHA-256', () => {
    expect(joinLinkFingerprint('192.168.1.20:8443')).toBeUndefined()
    expect(joinLinkFingerprint('https://h/#fp=abc')).toBeUndefined()
    expect(joinLinkFingerprint('https://h/#room=general')).toBeUndefined()
  })
})
