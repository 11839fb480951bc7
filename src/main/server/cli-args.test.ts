import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCliArgs } from './cli-args'

describe('CLI flags', () => {
  it('has the documented defaults', () => {
    const command = parseCliArgs([], {}, undefined)
    expect(command).toEqual({
      kind: 'serve',
      logLevel: 'info',
      options: {
        dataDir: resolve('./parley-data'),
        port: 8080,
        host: '0.0.0.0',
        maxConnections: 5000,
        maxConnectionsPerIp: 100
      }
    })
  })

  it('parses every flag, repeatable --allow-origin, and the password from the environment', async () => {
    const web = await mkdtemp(join(tmpdir(), 'parley-web-'))
    try {
      const command = parseCliArgs(
        [
          '--port=9000',
          '--host',
          '127.0.0.1',
          '--name',
          'Lab',
          '--data',
          '/tmp/x',
          '--allow-origin',
          'https://a.example',
          '--allow-origin',
          'https://b.example',
          '--admin-token',
          'long-enough-token',
          '--static',
          web,
          '--max-connections',
          '10',
          '--max-per-ip',
          '2',
          '--log-level',
          'debug'
        ],
        { PARLEY_PASSWORD: 'from-env' },
        undefined
      )
      expect(command).toEqual({
        kind: 'serve',
        logLevel: 'debug',
        options: {
          dataDir: '/tmp/x',
          port: 9000,
          host: '127.0.0.1',
          name: 'Lab',
          password: 'from-env',
          allowOrigins: ['https://a.example', 'https://b.example'],
          adminToken: 'long-enough-token',
          staticDir: web,
          maxConnections: 10,
          maxConnectionsPerIp: 2
        }
      })
      expect(parseCliArgs(['--password', 'flag'], { PARLEY_PASSWORD: 'env' }, undefined)).toMatchObject({
        options: { password: 'flag' }
      })
      expect(parseCliArgs([], {}, web)).toMatchObject({ options: { staticDir: web } })
      expect(parseCliArgs(['--no-static'], {}, web)).not.toHaveProperty('options.staticDir')
    } finally {
      await rm(web, { recursive: true, force: true })
    }
  })

  it.each([
    [['--port', '70000'], /--port must be/],
    [['--port', 'abc'], /--port must be/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--admin-token', 'short'], /at least 8/],
    [['--static', '/definitely/not/here'], /no such directory/],
    [['--bogus'], /Unknown option/],
    [['--redis', 'localhost:6379'], /redis:\/\//],
    [['positional'], /Unexpected argument|positional/]
  ])('%j is an error', (argv, message) => {
    const command = parseCliArgs(argv, {}, undefined)
    expect(command.kind).toBe('error')
    if (command.kind === 'error') expect(command.message).toMatch(message)
  })

  it('--redis, or PARLEY_REDIS_URL, makes the server a cluster node', () => {
    expect(parseCliArgs(['--redis', 'redis://127.0.0.1:6379'], {}, undefined)).toMatchObject({
      options: { redis: { url: 'redis://127.0.0.1:6379' } }
    })
    expect(parseCliArgs([], { PARLEY_REDIS_URL: 'redis://r:1' }, undefined)).toMatchObject({
      options: { redis: { url: 'redis://r:1' } }
    })
    expect(parseCliArgs([], {}, undefined)).not.toHaveProperty('options.redis')
  })

  it('--help', () => {
    expect(parseCliArgs(['-h'], {}, undefined)).toEqual({ kind: 'help' })
  })
})
