import { describe, expect, it } from 'vitest'
import { createOriginPolicy } from './origin-policy'
import { clientView, nodeAddress, parseForwarded, parseProxyTrust } from './trusted-proxy'

describe('parseProxyTrust', () => {
  it('matches single addresses and CIDRs, IPv4 and IPv6, dual-stack peers included', () => {
    const trust = parseProxyTrust(['127.0.0.1, 10.0.0.0/8', 'fd00::/8 ::1', '192.168.1.0/24'])
    for (const yes of [
      '127.0.0.1',
      '::ffff:127.0.0.1',
      '10.255.0.3',
      '::1',
      'fd12:3456::1',
      '192.168.1.254'
    ]) {
      expect(trust.trusts(yes), yes).toBe(true)
    }
    for (const no of ['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', '192.168.2.1', 'unknown', '']) {
      expect(trust.trusts(no), no).toBe(false)
    }
  })

  it('trusts nobody when the list is empty', () => {
    expect(parseProxyTrust(undefined).trusts('127.0.0.1')).toBe(false)
    expect(parseProxyTrust('').trusts('127.0.0.1')).toBe(false)
  })

  it('names every entry it cannot read', () => {
    expect(() => parseProxyTrust('127.0.0.1,nginx.local,10.0.0.0/33,::1/129,1.2.3.4/x')).toThrow(
      'Invalid trusted proxy nginx.local, 10.0.0.0/33, ::1/129, 1.2.3.4/x: give IP addresses or CIDRs'
    )
  })
})

describe('header forms', () => {
  it('reads nodes with ports, brackets and quotes, and refuses the rest', () => {
    expect(nodeAddress('192.0.2.60')).toBe('192.0.2.60')
    expect(nodeAddress(' 192.0.2.60:8080 ')).toBe('192.0.2.60')
    expect(nodeAddress('"[2001:db8:cafe::17]:4711"')).toBe('2001:db8:cafe::17')
    expect(nodeAddress('[2001:DB8::1]')).toBe('2001:db8::1')
    expect(nodeAddress('2001:db8::1')).toBe('2001:db8::1')
    expect(nodeAddress('::ffff:10.1.2.3')).toBe('10.1.2.3')
    for (const bad of ['unknown', '_hidden', 'example.com', '[::1', '1.2.3', '']) {
      expect(nodeAddress(bad), bad).toBeUndefined()
    }
  })

  it('parses RFC 7239 elements, quoted values holding separators included', () => {
    expect(
      parseForwarded('for=192.0.2.43;proto=http, For="[2001:db8:cafe::17]:4711";host="a,b;c";proto=HTTPS')
    ).toEqual([
      { for: '192.0.2.43', proto: 'http' },
      { for: '[2001:db8:cafe::17]:4711', host: 'a,b;c', proto: 'HTTPS' }
    ])
  })
})

describe('clientView', () => {
  const trust = parseProxyTrust('127.0.0.1,10.0.0.0/8')

  it('ignores every forwarding header from a peer that is not a listed proxy', () => {
    const headers = {
      'x-forwarded-for': '203.0.113.9',
      forwarded: 'for=203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example'
    }
    expect(clientView('198.51.100.7', headers, trust)).toEqual({ address: '198.51.100.7' })
    expect(clientView('::ffff:198.51.100.7', headers, parseProxyTrust(undefined))).toEqual({
      address: '198.51.100.7'
    })
  })

  it('takes the right-most hop that is not a listed proxy from X-Forwarded-For', () => {
    // The client wrote "1.1.1.1" itself; nginx appended the real peer, an internal hop appended nginx.
    const view = clientView(
      '127.0.0.1',
      {
        'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.0.0.5',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'chat.example'
      },
      trust
    )
    expect(view).toEqual({ address: '203.0.113.9', forwarded: { proto: 'https', host: 'chat.example' } })
  })

  it('reads Forwarded when there is no X-Forwarded-For, scheme and host from its nearest element', () => {
    const view = clientView(
      '10.1.1.1',
      { forwarded: 'for=198.51.100.1;proto=http, for="[2001:db8::5]:1234";proto=https;host=chat.example' },
      trust
    )
    expect(view).toEqual({ address: '2001:db8::5', forwarded: { proto: 'https', host: 'chat.example' } })
  })

  it('prefers X-Forwarded-For: a stock proxy passes a client-written Forwarded through untouched', () => {
    const view = clientView(
      '127.0.0.1',
      { forwarded: 'for=9.9.9.9', 'x-forwarded-for': '203.0.113.9' },
      trust
    )
    expect(view.address).toBe('203.0.113.9')
  })

  it('stops at the proxy that wrote a hop it could not name, and at the left-most when all are proxies', () => {
    expect(
      clientView('127.0.0.1', { 'x-forwarded-for': '203.0.113.9, unknown, 10.0.0.5' }, trust).address
    ).toBe('10.0.0.5')
    expect(clientView('127.0.0.1', { forwarded: 'for=_hidden' }, trust).address).toBe('127.0.0.1')
    expect(clientView('127.0.0.1', { 'x-forwarded-for': '10.0.0.9, 10.0.0.5' }, trust).address).toBe(
      '10.0.0.9'
    )
  })

  it('joins repeated headers, and treats a listed peer that forwarded nothing as a plain client', () => {
    expect(clientView('127.0.0.1', { 'x-forwarded-for': ['1.1.1.1', '203.0.113.9'] }, trust).address).toBe(
      '203.0.113.9'
    )
    // No forwarding header: not acting as a proxy, so no forwarded site either.
    expect(clientView('127.0.0.1', { 'x-forwarded-host': 'evil.example' }, trust)).toEqual({
      address: '127.0.0.1'
    })
  })

  it('keeps only http or https as the scheme, the nearest proxy’s value when listed', () => {
    const view = clientView(
      '127.0.0.1',
      { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https, gopher' },
      trust
    )
    expect(view.forwarded).toEqual({})
    const two = clientView(
      '127.0.0.1',
      { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'http, https' },
      trust
    )
    expect(two.forwarded).toEqual({ proto: 'https' })
  })
})

describe('origin checks behind a proxy', () => {
  const policy = createOriginPolicy([], ['box'])

  it('treats an https page on the proxy’s host as the server’s own origin', () => {
    const site = { proto: 'https' as const, host: 'chat.example' }
    expect(policy.checkOrigin('https://chat.example', '127.0.0.1:8080', site)).toBe(true)
    expect(policy.checkOrigin('https://chat.example:443', '127.0.0.1:8080', site)).toBe(true)
    expect(policy.checkOrigin('http://chat.example', '127.0.0.1:8080', site)).toBe(false)
    expect(policy.checkOrigin('https://evil.example', '127.0.0.1:8080', site)).toBe(false)
    expect(
      policy.checkOrigin('https://chat.example:8443', '127.0.0.1:8080', {
        ...site,
        host: 'chat.example:8443'
      })
    ).toBe(true)
    expect(policy.checkOrigin('null', '127.0.0.1:8080', site)).toBe(false)
  })

  it('falls back to the Host header, either scheme, when the proxy did not say', () => {
    expect(policy.checkOrigin('https://chat.example', 'chat.example', {})).toBe(true)
    expect(policy.checkOrigin('http://chat.example', 'chat.example', {})).toBe(true)
    expect(policy.checkOrigin('https://chat.example', undefined, {})).toBe(false)
  })

  it('still refuses that page without a trusted proxy in between', () => {
    expect(policy.checkOrigin('https://chat.example', 'chat.example')).toBe(false)
    expect(policy.checkHost('chat.example')).toBe(false)
    expect(policy.checkHost('chat.example', {})).toBe(true)
  })
})
