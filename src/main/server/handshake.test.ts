/** Handshake refusals are HTTP answers before any upgrade; each is exercised against a real server. */
import { readFileSync, readdirSync } from 'node:fs'
import { get, request } from 'node:http'
import { createConnection } from 'node:net'
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SUBPROTOCOL } from '../../shared/protocol'
import {
  connect,
  joinAs,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../test-support/server/test-harness'

let server: TestServer | undefined
const { clients } = serverTestFixture(() => server)

interface HandshakeAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  protocol?: string
}

/** A raw upgrade request, so the test sees the exact HTTP answer (a browser only reports 1006). */
function handshake(
  port: number,
  path: string,
  headers: Record<string, string> = {}
): Promise<HandshakeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers
      }
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: '',
        protocol: res.headers['sec-websocket-protocol'] as string
      })
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('handshake', () => {
  it('upgrades at /ws and at /, selecting parley.v1 when offered', async () => {
    server = await startTestServer()
    expect(
      await handshake(server.port, '/ws', { 'Sec-WebSocket-Protocol': `chat, ${SUBPROTOCOL}` })
    ).toMatchObject({
      status: 101,
      protocol: SUBPROTOCOL
    })
    expect((await handshake(server.port, '/')).status).toBe(101)
  })

  it('400 when the client offers only other subprotocols', async () => {
    server = await startTestServer()
    const answer = await handshake(server.port, '/ws', { 'Sec-WebSocket-Protocol': 'mqtt, stomp' })
    expect(answer.status).toBe(400)
    expect(answer.body).toMatch(/parley\.v1/)
  })

  it('404 for other paths', async () => {
    server = await startTestServer()
    expect((await handshake(server.port, '/socket.io/')).status).toBe(404)
  })

  it.each([
    ['no Origin (scripts, the desktop app)', undefined, 101],
    ['the desktop app scheme', 'parley://app', 101],
    // Only a development build allows its dev server, by passing it in allowOrigins (below).
    ['the electron-vite dev server, by default', 'http://localhost:5173', 403],
    ['the dev server by IP, by default', 'http://127.0.0.1:5173', 403],
    ['another local port', 'http://localhost:3000', 403],
    ['a random website', 'https://evil.example', 403],
    ['a file:// page', 'null', 403]
  ])('%s (Origin %s) → %i', async (_label, origin, status) => {
    server = await startTestServer()
    const answer = await handshake(server.port, '/ws', origin === undefined ? {} : { Origin: origin })
    expect(answer.status).toBe(status)
  })

  it('accepts the dev server only when it is passed in allowOrigins, as a development build does', async () => {
    server = await startTestServer({ allowOrigins: ['http://localhost:5173'] })
    expect((await handshake(server.port, '/ws', { Origin: 'http://localhost:5173' })).status).toBe(101)
    expect((await handshake(server.port, '/ws', { Origin: 'http://127.0.0.1:5173' })).status).toBe(403)
  })

  it('accepts its own http origin, and --allow-origin additions, and * for all', async () => {
    server = await startTestServer({ allowOrigins: ['https://chat.example.org'] })
    const own = `http://127.0.0.1:${server.port}`
    expect((await handshake(server.port, '/ws', { Origin: own })).status).toBe(101)
    expect((await handshake(server.port, '/ws', { Origin: 'https://chat.example.org' })).status).toBe(101)
    expect((await handshake(server.port, '/ws', { Origin: 'https://other.example.org' })).status).toBe(403)
    await server.stop()
    server = await startTestServer({ allowOrigins: ['*'] })
    expect((await handshake(server.port, '/ws', { Origin: 'https://anything.example' })).status).toBe(101)
  })

  it('trusts "same origin" only for IP literals, localhost and this machine\'s names (no DNS rebinding)', async () => {
    server = await startTestServer()
    const port = server.port
    const sameOrigin = (host: string) => handshake(port, '/ws', { Host: host, Origin: `http://${host}` })
    expect((await sameOrigin(`localhost:${port}`)).status).toBe(101)
    expect((await sameOrigin(`[::1]:${port}`)).status).toBe(101)
    expect((await sameOrigin(`${hostname()}:${port}`)).status).toBe(101)
    expect((await sameOrigin(`${hostname()}.local:${port}`)).status).toBe(101)
    // A page on an attacker's domain that resolves to this machine sends matching Origin and Host.
    expect((await sameOrigin(`rebind.attacker.example:${port}`)).status).toBe(403)
  })

  it('503 with Retry-After when the server is full, in total and per address', async () => {
    server = await startTestServer({ maxConnections: 2 })
    clients.push(await connect(server.url), await connect(server.url))
    const full = await handshake(server.port, '/ws')
    expect(full.status).toBe(503)
    expect(Number(full.headers['retry-after'])).toBeGreaterThan(0)
    await server.stop()

    server = await startTestServer({ maxConnectionsPerIp: 1 })
    clients.push(await connect(server.url))
    const perIp = await handshake(server.port, '/ws')
    expect(perIp.status).toBe(503)
    expect(perIp.body).toMatch(/Too many connections from/)
    // A slot frees up when a socket closes.
    await clients.pop()!.close()
    await expect.poll(() => server!.server.stats().connections).toBe(0)
    expect((await handshake(server.port, '/ws')).status).toBe(101)
  })
})

/**
 * A plain GET with exactly this Host header (fetch cannot set Host). Without one it speaks
 * HTTP/1.0, the only version where Host is optional (Node answers 400 to HTTP/1.1 without it).
 */
function getWithHost(port: number, path: string, host: string | undefined): Promise<HandshakeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      const hostLine = host === undefined ? '' : `Host: ${host}\r\n`
      socket.end(
        `GET ${path} HTTP/${host === undefined ? '1.0' : '1.1'}\r\n${hostLine}Connection: close\r\n\r\n`
      )
    })
    let raw = ''
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    socket.on('end', () => {
      const [head = '', body = ''] = raw.split('\r\n\r\n')
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), headers: {}, body })
    })
    socket.on('error', reject)
  })
}

describe('Host check on HTTP (DNS rebinding)', () => {
  it('answers stats to its own names and to no Host, and 421 to any other name', async () => {
    server = await startTestServer()
    const ann = await joinAs(server.url, 'ann')
    clients.push(ann.client)
    const port = server.port
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      `${hostname()}:${port}`,
      `${hostname()}.local:${port}`,
      undefined
    ]) {
      const answer = await getWithHost(port, '/api/stats', host)
      expect(answer.status, String(host)).toBe(200)
      expect(JSON.parse(answer.body), String(host)).toMatchObject({
        rooms: [{ name: 'general', members: 1 }]
      })
    }
    // A page on an attacker's domain that resolves to this machine: its fetches carry that Host.
    for (const path of ['/api/stats', '/', '/ws']) {
      const foreign = await getWithHost(port, path, `rebind.attacker.example:${port}`)
      expect(foreign.status, path).toBe(421)
      expect(JSON.parse(foreign.body), path).toMatchObject({ error: 'wrong_host' })
      expect(foreign.body, path).not.toContain('general')
    }
    // Health probes reveal nothing and may use any name (a container's service name).
    expect((await getWithHost(port, '/healthz', `parley-service:${port}`)).status).toBe(200)
  })

  it('answers to the host of an --allow-origin origin, and to any name with *', async () => {
    server = await startTestServer({ allowOrigins: ['https://chat.example.org'] })
    expect((await getWithHost(server.port, '/api/stats', 'chat.example.org')).status).toBe(200)
    expect((await getWithHost(server.port, '/api/stats', 'other.example.org')).status).toBe(421)
    await server.stop()
    server = await startTestServer({ allowOrigins: ['*'] })
    expect((await getWithHost(server.port, '/api/stats', 'anything.example')).status).toBe(200)
  })
})

describe('web client', () => {
  it('serves the static dir at / with index.html fallback and never outside it', async () => {
    // The secret sits beside the served dir inside a temp dir of this run's own, so a concurrent
    // run cannot delete it and make the traversal checks below pass for want of a target.
    const outer = await mkdtemp(join(tmpdir(), 'parley-static-'))
    const root = join(outer, 'web')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Parley</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    const secret = join(outer, 'parley-secret.txt')
    await writeFile(secret, 'TOP-SECRET-CONTENT')
    try {
      expect(readFileSync(secret, 'utf8')).toBe('TOP-SECRET-CONTENT')
      server = await startTestServer({ staticDir: root })
      const index = await fetch(`${server.httpUrl}/`)
      expect(index.headers.get('content-type')).toMatch(/text\/html/)
      expect(await index.text()).toContain('<title>Parley</title>')
      const script = await fetch(`${server.httpUrl}/assets/app.js`)
      expect(script.headers.get('content-type')).toMatch(/javascript/)
      expect(await script.text()).toBe('console.log(1)')
      expect(await (await fetch(`${server.httpUrl}/rooms/general`)).text()).toContain('Parley')
      const missing = await fetch(`${server.httpUrl}/assets/missing.js`)
      expect(missing.status).toBe(404)
      await missing.text()
      for (const path of [
        '/..%2fparley-secret.txt',
        '/%2e%2e/parley-secret.txt',
        '/assets/..%2f..%2fparley-secret.txt'
      ]) {
        const escape = await fetch(`${server.httpUrl}${path}`)
        expect(await escape.text()).not.toContain('TOP-SECRET-CONTENT')
      }
      const bad = await fetch(`${server.httpUrl}/%E0%A4%A`)
      expect(bad.status).toBe(404)
      await bad.text()
    } finally {
      await rm(outer, { recursive: true, force: true })
    }
  })

  it("forbids framing and sends the renderer's content security policy", async () => {
    const root = await mkdtemp(join(tmpdir(), 'parley-static-'))
    await mkdir(join(root, 'assets'))
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Parley</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    // Every directive of the renderer's own meta tag must hold when it is served over HTTP too.
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(
      readFileSync(join(__dirname, '../../renderer/index.html'), 'utf8')
    )
    expect(meta).not.toBeNull()
    try {
      server = await startTestServer({ staticDir: root })
      for (const path of ['/', '/assets/app.js', '/rooms/general']) {
        const res = await fetch(`${server.httpUrl}${path}`)
        await res.text()
        expect(res.status, path).toBe(200)
        const csp = res.headers.get('content-security-policy') ?? ''
        const directives = csp.split(';').map((directive) => directive.trim())
        for (const directive of meta![1]!.split(';')) expect(directives, path).toContain(directive.trim())
        expect(directives, path).toContain("frame-ancestors 'none'")
        expect(res.headers.get('x-frame-options'), path).toBe('DENY')
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff')
        expect(res.headers.get('referrer-policy'), path).toBe('no-referrer')
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('closes the file when a download is cancelled', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parley-static-'))
    // Bigger than the socket buffers, so the server is still reading when the client goes away.
    await writeFile(join(root, 'big.bin'), '')
    await truncate(join(root, 'big.bin'), 20 * 1024 * 1024)
    const openFds = () => readdirSync('/proc/self/fd').length
    try {
      server = await startTestServer({ staticDir: root })
      const before = openFds()
      for (let i = 0; i < 20; i++) await cancelledDownload(server.port, '/big.bin')
      // Each leaked handle would stay open for good; 5 spare covers sockets still closing.
      await expect.poll(openFds, { timeout: 5000 }).toBeLessThanOrEqual(before + 5)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('survives a file that fails while it is being read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parley-static-'))
    // /proc/self/mem opens and stats as a regular file but every read fails with EIO: the one
    // read error that root (these tests run as root, so no EACCES) can produce on demand.
    await symlink('/proc/self/mem', join(root, 'unreadable.bin'))
    try {
      server = await startTestServer({ staticDir: root })
      await fetch(`${server.httpUrl}/unreadable.bin`, { signal: AbortSignal.timeout(3000) })
        .then((res) => res.arrayBuffer())
        .catch(() => undefined)
      const health = await fetch(`${server.httpUrl}/healthz`)
      expect(await health.json()).toEqual({ ok: true })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

/** Starts a GET, takes the first chunk, then drops the connection like a cancelled download. */
function cancelledDownload(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path }, (res) => {
      res.once('data', () => req.destroy())
    })
    req.on('error', () => undefined)
    req.on('close', () => resolve())
    req.setTimeout(5000, () => reject(new Error(`No response for ${path}`)))
  })
}
