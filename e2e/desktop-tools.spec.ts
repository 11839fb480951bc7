/**
 * The desktop app's testing tools through the bridge harness (the built renderer, the real preload
 * API, main's real handlers in this process): fault injection from the host panel's connections
 * tab, and the WebSocket client's request headers sent by main's relay to a foreign server.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { buildHarnessPreload } from './bridge-harness/build-preload'
import { startHarnessMain, type HarnessMain } from './bridge-harness/main-process'

const rendererDir = join(import.meta.dirname, '..', 'out', 'renderer')
const artifacts = join(import.meta.dirname, '..', 'e2e-artifacts')

let main: HarnessMain
let preload: string
let preloadDir: string | undefined
const contexts: BrowserContext[] = []

test.beforeAll(async () => {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npx electron-vite build` before the e2e tests.')
  }
  mkdirSync(artifacts, { recursive: true })
  preloadDir = mkdtempSync(join(tmpdir(), 'parley-harness-preload-'))
  preload = await buildHarnessPreload(preloadDir)
  main = await startHarnessMain(rendererDir)
})

test.afterAll(async () => {
  try {
    for (const context of contexts) await context.close().catch(() => undefined)
  } finally {
    await main?.close()
  }
  if (preloadDir) rmSync(preloadDir, { recursive: true, force: true })
})

async function newPage(browser: Browser, withBridge: boolean, hash = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  contexts.push(context)
  const page = await context.newPage()
  if (withBridge) {
    await main.attach(page)
    await page.addInitScript({ content: preload })
  }
  await page.goto(`${main.appUrl}${hash}`)
  return page
}

test('the connections tab injects faults into one connection', async ({ browser }) => {
  const host = await newPage(browser, true)
  await host.getByRole('button', { name: 'Host a server' }).click()
  const panel = host.getByRole('region', { name: 'Host a server' })
  await panel.getByRole('textbox', { name: 'Port', exact: true }).fill('0')
  await panel.getByRole('textbox', { name: 'Your nickname', exact: true }).fill('hostess')
  await panel.getByRole('button', { name: 'Start server' }).click()
  await expect(host.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
  const status = main.host.status()
  if (status.state !== 'running') throw new Error('the host did not start')

  const guest = await newPage(browser, false)
  await guest.getByRole('textbox', { name: 'Server address' }).fill(status.selfUrl)
  await guest.getByRole('textbox', { name: 'Nickname' }).fill('guest')
  await guest.getByRole('button', { name: 'Connect' }).click()
  await expect(guest.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })

  await host.getByRole('button', { name: 'Inspector' }).click()
  const inspector = host.getByRole('region', { name: 'Connection inspector' })
  await inspector.getByRole('tab', { name: 'Server' }).click()
  const guestRow = inspector
    .getByRole('table', { name: 'Connections' })
    .getByRole('row')
    .filter({ hasText: 'guest' })
  await expect(guestRow).toContainText('open')

  // A lasting fault shows in the row until cleared.
  await guestRow
    .getByRole('combobox', { name: 'Fault for guest' })
    .selectOption({ label: 'Delay frames 500 ms' })
  await guestRow.getByRole('button', { name: 'Inject' }).click()
  await expect(guestRow).toContainText('delay 500 ms')
  await host.screenshot({ path: join(artifacts, 'host-faults-server-tab.png') })
  await guestRow.getByRole('combobox', { name: 'Fault for guest' }).selectOption({ label: 'Clear faults' })
  await guestRow.getByRole('button', { name: 'Inject' }).click()
  await expect(guestRow).not.toContainText('delay 500 ms')

  // A chosen close code reaches the guest, whose inspector explains it.
  await guestRow.getByRole('combobox', { name: 'Fault for guest' }).selectOption({ label: 'Close with 4000' })
  await guestRow.getByRole('button', { name: 'Inject' }).click()
  await guest.getByRole('button', { name: 'Inspector' }).click()
  const closes = guest
    .getByRole('region', { name: 'Connection inspector' })
    .getByRole('region', { name: 'Closes' })
  await expect(closes.getByRole('row').filter({ hasText: '4000' }).first()).toContainText(
    'Injected from the host panel.',
    {
      timeout: 10_000
    }
  )
})

test('the desktop WebSocket client sends custom request headers through the relay', async ({ browser }) => {
  const requests: IncomingMessage[] = []
  const http = createServer()
  const wss = new WebSocketServer({ noServer: true })
  http.on('upgrade', (req, socket, head) => {
    requests.push(req)
    if (req.headers.authorization !== 'Bearer desk-token') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
    )
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  try {
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`
    // Straight to the client by its address: this window would otherwise resume the host's chat.
    const app = await newPage(browser, true, '#ws-client')
    await expect(app.getByRole('heading', { level: 1, name: 'WebSocket client' })).toBeVisible()
    await app.getByRole('textbox', { name: 'WebSocket URL' }).fill(url)

    // A wrong token: the server refuses, and the relay says how (what a browser never shows a page).
    await app.getByText('Request headers', { exact: true }).first().click()
    const headers = app.getByRole('textbox', { name: 'Request headers' })
    await headers.fill('Authorization: Bearer wrong')
    await app.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(app.getByRole('region', { name: 'Closes' })).toContainText('HTTP 403')

    await headers.fill('Authorization: Bearer desk-token\nX-Trace: 7')
    await app.getByRole('button', { name: 'Open', exact: true }).click()
    await expect(app.getByRole('status', { name: 'Connection state' })).toHaveText('open')
    expect(requests.at(-1)?.headers['x-trace']).toBe('7')
    await app.getByRole('textbox', { name: 'Frame to send' }).fill('through main')
    await app.getByRole('button', { name: 'Send frame' }).click()
    await expect(
      app.getByRole('log', { name: 'Frames' }).getByRole('button', { name: /^received text frame/ })
    ).toContainText('through main')
    await app.screenshot({ path: join(artifacts, 'ws-client-desktop-headers.png') })
  } finally {
    // Upgraded sockets are the WebSocket server's, no longer the HTTP server's to close.
    for (const client of wss.clients) client.terminate()
    http.closeAllConnections()
    await new Promise((resolve) => http.close(resolve))
  }
})
