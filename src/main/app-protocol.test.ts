import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppProtocolHandler } from './app-protocol'

let root: string
let outside: string
let handle: (request: Request) => Promise<Response>

beforeAll(() => {
  outside = mkdtempSync(join(tmpdir(), 'parley-protocol-'))
  root = join(outside, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>')
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(outside, 'secret.txt'), 'secret')
  handle = createAppProtocolHandler({ rootDir: root, csp: "default-src 'self'" })
})
afterAll(() => rmSync(outside, { recursive: true, force: true }))

describe('parley://app protocol', () => {
  it('serves index.html at / with the CSP header', async () => {
    const response = await handle(new Request('parley://app/'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'")
    expect(await response.text()).toContain('<title>Parley</title>')
  })

  it('serves assets with their MIME type and nosniff', async () => {
    const response = await handle(new Request('parley://app/assets/index-abc.js'))
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe('console.log(1)')
  })

  it('falls back to index.html for routes, but 404s for missing files', async () => {
    expect(await (await handle(new Request('parley://app/rooms/general'))).text()).toContain('Parley')
    expect((await handle(new Request('parley://app/assets/missing.js'))).status).toBe(404)
  })

  it('never serves a file outside the renderer directory', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const response = await handle(new Request(`parley://app${path}`))
      expect(response.status, path).toBe(404)
      expect(await response.text()).not.toContain('secret')
    }
  })

  it('answers only for the app host and only to GET/HEAD', async () => {
    expect((await handle(new Request('parley://other/'))).status).toBe(404)
    expect((await handle(new Request('parley://app/', { method: 'POST', body: 'x' }))).status).toBe(405)
  })
})
