import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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
        maxConnectionsPerIp: 100,
        mdns: true
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
          maxConnectionsPerIp: 2,
          mdns: true
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

  it('parses the file limits, leaving unnamed ones to the server defaults', () => {
    expect(
      parseCliArgs(
        ['--max-file-bytes', '1000', '--file-quota-bytes', '5000', '--files-total-bytes', '9000'],
        {},
        undefined
      )
    ).toMatchObject({
      options: { fileLimits: { maxFileBytes: 1000, userQuotaBytes: 5000, totalBytes: 9000 } }
    })
    expect(parseCliArgs(['--max-file-bytes', '1000'], {}, undefined)).toMatchObject({
      options: { fileLimits: { maxFileBytes: 1000 } }
    })
    expect(parseCliArgs([], {}, undefined)).not.toHaveProperty('options.fileLimits')
  })

  it('--tls makes a self-signed certificate, --tls-cert/--tls-key use files, --no-mdns stays quiet', async () => {
    expect(parseCliArgs(['--tls', '--no-mdns'], {}, undefined)).toMatchObject({
      options: { tls: { selfSigned: true }, mdns: false }
    })
    expect(parseCliArgs([], {}, undefined)).not.toHaveProperty('options.tls')
    const dir = await mkdtemp(join(tmpdir(), 'parley-tls-flags-'))
    try {
      const cert = join(dir, 'cert.pem')
      const key = join(dir, 'key.pem')
      await writeFile(cert, '')
      await writeFile(key, '')
      expect(parseCliArgs(['--tls-cert', cert, '--tls-key', key], {}, undefined)).toMatchObject({
        options: { tls: { certFile: cert, keyFile: key } }
      })
      expect(parseCliArgs(['--tls-cert', cert], {}, undefined)).toMatchObject({
        kind: 'error',
        message: expect.stringMatching(/go together/)
      })
      expect(
        parseCliArgs(['--tls-cert', cert, '--tls-key', join(dir, 'nope.pem')], {}, undefined)
      ).toMatchObject({ kind: 'error', message: expect.stringMatching(/nope\.pem: no such file/) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    [['--max-file-bytes', '0'], /--max-file-bytes must be/],
    [['--files-total-bytes', '1.5'], /--files-total-bytes must be/],
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

  it('reads --trust-proxy lists (repeatable, comma or space separated) or PARLEY_TRUST_PROXY', () => {
    expect(
      parseCliArgs(['--trust-proxy', '127.0.0.1,::1', '--trust-proxy', '10.0.0.0/8'], {}, undefined)
    ).toMatchObject({ options: { trustProxy: ['127.0.0.1', '::1', '10.0.0.0/8'] } })
    expect(parseCliArgs([], { PARLEY_TRUST_PROXY: '127.0.0.1 fd00::/8' }, undefined)).toMatchObject({
      options: { trustProxy: ['127.0.0.1', 'fd00::/8'] }
    })
    expect(
      parseCliArgs(['--trust-proxy', '10.0.0.1'], { PARLEY_TRUST_PROXY: '127.0.0.1' }, undefined)
    ).toMatchObject({
      options: { trustProxy: ['10.0.0.1'] }
    })
    const bad = parseCliArgs(['--trust-proxy', 'nginx'], {}, undefined)
    expect(bad).toEqual({
      kind: 'error',
      message: expect.stringMatching(/^--trust-proxy: Invalid trusted proxy nginx/)
    })
  })

  it('parses retention flags', () => {
    expect(parseCliArgs(['--history-days', '30', '--history-max', '5000'], {}, undefined)).toMatchObject({
      options: { historyDays: 30, historyMax: 5000 }
    })
    expect(parseCliArgs([], {}, undefined)).not.toHaveProperty('options.historyDays')
    expect(parseCliArgs(['--history-days', '0'], {}, undefined)).toMatchObject({
      kind: 'error',
      message: '--history-days must be a whole number from 1 to 36500.'
    })
    expect(parseCliArgs(['--history-max', '1.5'], {}, undefined)).toMatchObject({ kind: 'error' })
  })

  it('parses --reclaim-after, where 0 turns the reclaim off', () => {
    expect(parseCliArgs(['--reclaim-after', '0'], {}, undefined)).toMatchObject({
      options: { reclaimAfterChurn: 0 }
    })
    expect(parseCliArgs(['--reclaim-after', '2000'], {}, undefined)).toMatchObject({
      options: { reclaimAfterChurn: 2000 }
    })
    expect(parseCliArgs([], {}, undefined)).not.toHaveProperty('options.reclaimAfterChurn')
    expect(parseCliArgs(['--reclaim-after', '0.5'], {}, undefined)).toMatchObject({
      kind: 'error',
      message: '--reclaim-after must be a whole number from 0 to 1000000.'
    })
  })

  it('parses backup FILE [--data DIR] and refuses anything else with it', () => {
    expect(parseCliArgs(['backup', 'b.sqlite', '--data', '/srv/parley'], {}, undefined)).toEqual({
      kind: 'backup',
      dataDir: '/srv/parley',
      file: resolve('b.sqlite')
    })
    expect(parseCliArgs(['backup', '/tmp/b.sqlite'], {}, undefined)).toEqual({
      kind: 'backup',
      dataDir: resolve('./parley-data'),
      file: '/tmp/b.sqlite'
    })
    expect(parseCliArgs(['backup'], {}, undefined)).toMatchObject({
      kind: 'error',
      message: /needs the file/
    })
    expect(parseCliArgs(['backup', 'a', 'b'], {}, undefined)).toMatchObject({ kind: 'error', message: /'b'/ })
    expect(parseCliArgs(['backup', 'a', '--port', '1'], {}, undefined)).toMatchObject({
      kind: 'error',
      message: /Unknown option '--port'/
    })
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
