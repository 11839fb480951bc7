import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { lanUrls } from './lan-urls'

describe('lanUrls', () => {
  it('gives the one URL for a specific host, bracketing IPv6', () => {
    expect(lanUrls(8080, '127.0.0.1')).toEqual(['ws://127.0.0.1:8080/ws'])
    expect(lanUrls(9, '::1')).toEqual(['ws://[::1]:9/ws'])
  })

  it('lists localhost and every external IPv4 address for a wildcard bind', () => {
    const external = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((info) => !info.internal && info.family === 'IPv4')
      .map((info) => `ws://${info.address}:8080/ws`)
    expect(lanUrls(8080, '0.0.0.0')).toEqual(['ws://localhost:8080/ws', ...external])
  })
})
