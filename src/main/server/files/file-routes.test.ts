/**
 * Uploads and downloads against a real server: real HTTP on loopback, real files on disk, a real
 * session token from a real hello.
 */
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileInfoSchema } from '../../../shared/file-info'
import {
  restartTestServer,
  serverTestFixture,
  startTestServer,
  type TestServer
} from '../../../../test-support/server/test-harness'
import { FILES_DIR, pendingTempFiles } from './file-store'

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)])
const HTML = Buffer.from('<!doctype html><script>alert(document.domain)</script>')
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')

let server: TestServer | undefined
const fixture = serverTestFixture(() => server)

async function sessionToken(nick = 'ann'): Promise<string> {
  const { welcome } = await fixture.join(nick)
  return welcome.session
}

interface UploadOptions {
  token?: string
  type?: string
  name?: string
  headers?: Record<string, string>
}

function upload(body: Buffer, options: UploadOptions = {}): Promise<Response> {
  return fetch(`${server!.httpUrl}/api/files`, {
    method: 'POST',
    headers: {
      ...(options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {}),
      'Content-Type': options.type ?? 'application/octet-stream',
      'X-File-Name': encodeURIComponent(options.name ?? 'blob.bin'),
      ...options.headers
    },
    body: new Uint8Array(body)
  })
}

async function uploaded(body: Buffer, options: UploadOptions) {
  const res = await upload(body, options)
  expect(res.status).toBe(201)
  const json = (await res.json()) as { file: unknown }
  return fileInfoSchema.parse(json.file)
}

function blobs(): string[] {
  return readdirSync(join(server!.dataDir, FILES_DIR, 'blobs'))
}

/** Sends only the headers of a request and resolves with the status the server answers with. */
function headersOnly(headers: Record<string, string | number>): Promise<{ status: number; body: string }> {
  const { port } = server!
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/files', method: 'POST', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

describe('POST /api/files', () => {
  it('stores the bytes and GET of the url returns exactly them', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const body = randomBytes(300_000)
    const file = await uploaded(body, { token, name: 'report 2026 — final.pdf', type: 'application/pdf' })
    expect(file).toMatchObject({
      name: 'report 2026 — final.pdf',
      size: body.length,
      type: 'application/pdf'
    })
    expect(file.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(file.url).toBe(`/files/${file.id}`)
    const res = await fetch(`${server.httpUrl}${file.url}`)
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toContain('sandbox')
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="report 2026 _ final.pdf"; filename*=UTF-8''${encodeURIComponent('report 2026 — final.pdf')}`
    )
    expect(pendingTempFiles(server.dataDir)).toEqual([])
  })

  it('answers 401 without a session token or with a wrong one', async () => {
    server = await startTestServer()
    await sessionToken()
    const none = await upload(Buffer.from('x'))
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: 'unauthorized' })
    const wrong = await upload(Buffer.from('x'), { token: 'not-a-session' })
    expect(wrong.status).toBe(401)
    expect(blobs()).toEqual([])
  })

  it('answers 413 from Content-Length before a byte of the body is sent', async () => {
    server = await startTestServer({ fileLimits: { maxFileBytes: 1000 } })
    const token = await sessionToken()
    const answer = await headersOnly({ Authorization: `Bearer ${token}`, 'Content-Length': 1001 })
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'too_large' })
    const fits = await upload(randomBytes(1000), { token })
    expect(fits.status).toBe(201)
  })

  it('answers 413 when a chunked body passes the limit, keeping nothing of it', async () => {
    server = await startTestServer({ fileLimits: { maxFileBytes: 64 * 1024 } })
    const token = await sessionToken()
    const { port } = server
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/files',
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' }
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', reject)
      // 40 KiB chunks until the server answers; bounded well past the limit.
      let sent = 0
      const pump = () => {
        if (sent >= 20 || req.destroyed) return
        sent++
        req.write(randomBytes(40 * 1024), () => setTimeout(pump, 5))
      }
      pump()
    })
    expect(answer).toBe(413)
    await expect.poll(() => pendingTempFiles(server!.dataDir)).toEqual([])
    expect(blobs()).toEqual([])
  })

  it('answers 507 past the per-user quota, and past the total budget', async () => {
    server = await startTestServer({ fileLimits: { userQuotaBytes: 3000, totalBytes: 5000 } })
    const ann = await sessionToken('ann')
    await uploaded(randomBytes(2000), { token: ann })
    const over = await upload(randomBytes(1500), { token: ann })
    expect(over.status).toBe(507)
    expect(await over.json()).toMatchObject({ error: 'quota_exceeded' })
    await uploaded(randomBytes(1000), { token: ann })

    const bob = await sessionToken('bob')
    await uploaded(randomBytes(1500), { token: bob })
    const full = await upload(randomBytes(1000), { token: bob })
    expect(full.status).toBe(507)
    expect(await full.json()).toMatchObject({ error: 'storage_full' })
  })

  it('stores the same bytes once, under two capabilities', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const body = randomBytes(5000)
    const first = await uploaded(body, { token, name: 'a.bin' })
    const second = await uploaded(body, { token, name: 'b.bin' })
    expect(second.id).not.toBe(first.id)
    expect(blobs()).toHaveLength(1)
    for (const file of [first, second]) {
      const res = await fetch(`${server.httpUrl}${file.url}`)
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true)
    }
  })

  it('lets an upload take longer than the 8 s the headers get', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const { port } = server
    const chunks = Array.from({ length: 12 }, () => randomBytes(1024))
    const started = Date.now()
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/files',
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Length': 12 * 1024 }
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', reject)
      // 12 chunks 850 ms apart: the body takes ~9.4 s, past where the old whole-request limit cut it
      // (8 s, checked every second: by 9 s).
      const next = () => {
        const chunk = chunks.shift()
        if (chunk === undefined) req.end()
        else req.write(chunk, () => setTimeout(next, 850))
      }
      next()
    })
    expect(Date.now() - started).toBeGreaterThan(9200)
    expect(status).toBe(201)
  }, 20_000)

  it('keeps files across a restart', async () => {
    server = await startTestServer({}, undefined)
    const token = await sessionToken()
    const body = randomBytes(4000)
    const file = await uploaded(body, { token })
    await Promise.all(fixture.clients.splice(0).map((client) => client.close()))
    server = await restartTestServer(server)
    const res = await fetch(`${server.httpUrl}${file.url}`)
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true)
  })
})

describe('GET /files/:id', () => {
  it('serves only sniffed raster images inline, never HTML or SVG', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const cases = [
      { body: PNG, type: 'image/png', served: 'image/png', disposition: 'inline', reported: 'image/png' },
      // A PNG sent as octet-stream is still a PNG.
      {
        body: PNG,
        type: 'application/octet-stream',
        served: 'image/png',
        disposition: 'inline',
        reported: 'image/png'
      },
      {
        body: HTML,
        type: 'text/html',
        served: 'application/octet-stream',
        disposition: 'attachment',
        reported: 'text/html'
      },
      // HTML claiming to be a PNG: the claim is not believed.
      {
        body: HTML,
        type: 'image/png',
        served: 'application/octet-stream',
        disposition: 'attachment',
        reported: 'application/octet-stream'
      },
      {
        body: SVG,
        type: 'image/svg+xml',
        served: 'application/octet-stream',
        disposition: 'attachment',
        reported: 'image/svg+xml'
      }
    ]
    for (const { body, type, served, disposition, reported } of cases) {
      const file = await uploaded(body, { token, type, name: 'x' })
      expect(file.type).toBe(reported)
      const res = await fetch(`${server.httpUrl}${file.url}`)
      expect(res.headers.get('content-type')).toBe(served)
      expect(res.headers.get('content-disposition')?.split(';')[0]).toBe(disposition)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
      expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true)
    }
    const png = await uploaded(PNG, { token, type: 'image/png' })
    const forced = await fetch(`${server.httpUrl}${png.url}?download`)
    expect(forced.headers.get('content-disposition')?.split(';')[0]).toBe('attachment')
    expect(forced.headers.get('content-type')).toBe('application/octet-stream')
  })

  it('answers ranges with 206 and an impossible one with 416', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const body = randomBytes(10_000)
    const { url } = await uploaded(body, { token })
    const get = (range: string) => fetch(`${server!.httpUrl}${url}`, { headers: { Range: range } })

    const middle = await get('bytes=100-199')
    expect(middle.status).toBe(206)
    expect(middle.headers.get('content-range')).toBe('bytes 100-199/10000')
    expect(Buffer.from(await middle.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true)

    const tail = await get('bytes=-10')
    expect(tail.status).toBe(206)
    expect(Buffer.from(await tail.arrayBuffer()).equals(body.subarray(9990))).toBe(true)

    const open = await get('bytes=9000-')
    expect(open.headers.get('content-range')).toBe('bytes 9000-9999/10000')
    expect(Buffer.from(await open.arrayBuffer()).equals(body.subarray(9000))).toBe(true)

    const beyond = await get('bytes=10000-')
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe('bytes */10000')
    await beyond.arrayBuffer()

    const several = await get('bytes=0-1,5-6')
    expect(several.status).toBe(200)
    expect((await several.arrayBuffer()).byteLength).toBe(10_000)
  })

  it('answers 404 for an unknown or malformed id', async () => {
    server = await startTestServer()
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', '..%2F..%2Fparley.sqlite', 'x']) {
      const res = await fetch(`${server.httpUrl}/files/${id}`)
      expect(res.status).toBe(404)
      await res.arrayBuffer()
    }
  })
})

describe('uploads from pages', () => {
  it('lets the desktop app and the served web client upload, and no other origin', async () => {
    server = await startTestServer()
    const token = await sessionToken()
    const preflight = (origin: string) =>
      fetch(`${server!.httpUrl}/api/files`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, x-file-name'
        }
      })
    const app = await preflight('parley://app')
    expect(app.status).toBe(204)
    expect(app.headers.get('access-control-allow-origin')).toBe('parley://app')
    expect(app.headers.get('access-control-allow-headers')).toContain('X-File-Name')
    const evil = await preflight('http://evil.example')
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()

    const fromApp = await upload(Buffer.from('hi'), { token, headers: { Origin: 'parley://app' } })
    expect(fromApp.status).toBe(201)
    expect(fromApp.headers.get('access-control-allow-origin')).toBe('parley://app')
    const fromEvil = await upload(Buffer.from('hi'), { token, headers: { Origin: 'http://evil.example' } })
    expect(fromEvil.status).toBe(403)
  })
})
