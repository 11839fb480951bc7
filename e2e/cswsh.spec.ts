/**
 * Cross-site WebSocket hijacking, proved in a real browser: a page from another local origin
 * (what a malicious site, or any other dev server on this machine, would be) tries to open a
 * socket to the Parley server the person is on, and is refused at the handshake with 403 —
 * while a page from the server's own origin connects and chats. Browsers attach `Origin` to
 * every WebSocket handshake and never let a page forge it; this test checks the server reads it.
 * (`Origin: null`, from sandboxed frames and data: URLs, is refused too: Chromium already blocks
 * those pages from reaching loopback, so that case is proved over raw TCP in abuse-handshake.test.ts.)
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test, type Page } from '@playwright/test'
import { startServer, stopServer, removeDataDir, type ParleyServer } from './helpers/parley-server'

let parley: ParleyServer
let attacker: Server
let attackerPort: number

test.beforeAll(async () => {
  parley = await startServer()
  // The "other site": a bare page on another loopback port. Its JS is evaluated by the tests.
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><title>another site</title><p>nothing to see here</p>')
  })
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
  attackerPort = (attacker.address() as AddressInfo).port
})

test.afterAll(async () => {
  await new Promise<void>((resolve) => attacker?.close(() => resolve()))
  if (parley) {
    await stopServer(parley)
    removeDataDir(parley.dataDir)
  }
})

interface Attempt {
  opened: boolean
  code: number
  welcome: boolean
}

/** Runs `new WebSocket(url)` in the page, says hello if it opens, and reports what happened. */
function attempt(page: Page, url: string): Promise<Attempt> {
  return page.evaluate(
    (target) =>
      new Promise<Attempt>((resolve) => {
        const result = { opened: false, code: 0, welcome: false }
        const ws = new WebSocket(target, 'parley.v1')
        ws.onopen = () => {
          result.opened = true
          ws.send(JSON.stringify({ type: 'hello', nick: `page-${Math.random().toString(36).slice(2, 8)}` }))
        }
        ws.onmessage = (event) => {
          if (String(event.data).includes('"type":"welcome"')) {
            result.welcome = true
            ws.close(1000)
          }
        }
        ws.onclose = (event) => {
          result.code = event.code
          resolve(result)
        }
      }),
    url
  )
}

async function handshakeErrors(page: Page, run: () => Promise<unknown>): Promise<string[]> {
  const errors: string[] = []
  const listener = (message: { type(): string; text(): string }): void => {
    if (message.type() === 'error') errors.push(message.text())
  }
  page.on('console', listener)
  await run()
  page.off('console', listener)
  return errors
}

async function openConnections(): Promise<number> {
  const stats = (await (await fetch(`${parley.httpUrl}api/stats`)).json()) as { connections: number }
  return stats.connections
}

const foreignOrigins = [
  ['another port on the same address', () => `http://127.0.0.1:${attackerPort}/`],
  ['localhost on another port', () => `http://localhost:${attackerPort}/`]
] as const

for (const [what, origin] of foreignOrigins) {
  test(`a page from ${what} is refused with 403 before any upgrade`, async ({ page }) => {
    await page.goto(origin())
    let result: Attempt | undefined
    const errors = await handshakeErrors(page, async () => {
      result = await attempt(page, `ws://127.0.0.1:${parley.port}/ws`)
    })
    expect(result).toEqual({ opened: false, code: 1006, welcome: false })
    expect(errors.join('\n')).toMatch(/403/)
    // The server root works too (tutorial-style URL), and is guarded the same way.
    expect(await attempt(page, `ws://127.0.0.1:${parley.port}`)).toEqual({
      opened: false,
      code: 1006,
      welcome: false
    })
    expect(await openConnections()).toBe(0)
  })
}

test("a page from the server's own origin connects and is welcomed", async ({ page }) => {
  await page.goto(`${parley.httpUrl}healthz`)
  expect(await attempt(page, `ws://127.0.0.1:${parley.port}/ws`)).toEqual({
    opened: true,
    code: 1000,
    welcome: true
  })
})
