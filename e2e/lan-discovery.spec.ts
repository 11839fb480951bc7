/**
 * LAN discovery and TLS hosting through the bridge harness: the built renderer in Chromium with
 * the real preload API, main's real handlers and services in this process. This process is not
 * in a private network namespace, so it must not multicast: the discovery service hears the
 * servers the test feeds through its own seam (`main.lan`, a ServiceSource) instead of mDNS; the
 * real mDNS browser is tested in a namespace (src/main/lan-discovery.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { buildHarnessPreload } from './bridge-harness/build-preload'
import { startHarnessMain, type HarnessMain } from './bridge-harness/main-process'
import type { FoundService } from '../src/main/lan-discovery'

const rendererDir = join(import.meta.dirname, '..', 'out', 'renderer')
const artifacts = join(import.meta.dirname, '..', 'e2e-artifacts')

let main: HarnessMain
let preload: string
let preloadDir: string | undefined
const contexts: BrowserContext[] = []

test.beforeAll(async () => {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      'out/renderer is missing: run `npx electron-vite build` (npm test does) before the e2e tests.'
    )
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

async function openAppWindow(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
  extra: { ignoreHTTPSErrors?: boolean } = {}
): Promise<Page> {
  const context = await browser.newContext({ viewport, ...extra })
  contexts.push(context)
  const page = await context.newPage()
  await main.attach(page)
  await page.addInitScript({ content: preload })
  await page.goto(main.appUrl)
  return page
}

const labOne: FoundService = {
  fqdn: 'Lab One._parley._tcp.local',
  name: 'Lab One',
  port: 8443,
  addresses: ['192.0.2.7'],
  txt: { name: 'Lab One', tls: '1', auth: '1', path: '/ws', v: '1', fp: 'ab'.repeat(32) }
}
const openDesk: FoundService = {
  fqdn: 'Open Desk._parley._tcp.local',
  name: 'Open Desk',
  port: 8080,
  addresses: ['192.0.2.8'],
  txt: { name: 'Open Desk', tls: '0', auth: '0', path: '/ws', v: '1' }
}

test('the desktop connect screen lists servers found on the LAN live; a click fills the address; gone ones disappear', async ({
  browser
}) => {
  const app = await openAppWindow(browser)
  const errors: string[] = []
  app.on('pageerror', (error) => errors.push(error.message))
  const lan = app.getByRole('region', { name: 'On your network' })
  await expect(lan).toContainText('Looking for servers…')
  await expect.poll(() => main.lan.browsing).toBe(true)

  main.lan.up(labOne)
  main.lan.up(openDesk)
  const lab = lan.getByRole('button', {
    name: /^Use Lab One at 192\.0\.2\.7:8443, encrypted, password required$/
  })
  await expect(lab).toBeVisible()
  await expect(lab).toContainText('TLS')
  await expect(lab).toContainText('password')
  const desk = lan.getByRole('button', { name: 'Use Open Desk at 192.0.2.8:8080' })
  await expect(desk).toContainText('no TLS')
  await app.screenshot({ path: join(artifacts, 'lan-connect-desktop.png') })

  await lab.click()
  await expect(app.getByRole('textbox', { name: 'Server address' })).toHaveValue('wss://192.0.2.7:8443')
  await desk.click()
  await expect(app.getByRole('textbox', { name: 'Server address' })).toHaveValue('192.0.2.8:8080')

  main.lan.down(labOne.fqdn)
  await expect(lab).toHaveCount(0)
  await expect(desk).toBeVisible()
  main.lan.down(openDesk.fqdn)
  await expect(lan).toContainText('Looking for servers…')
  expect(errors).toEqual([])
})

test('the connect screen at phone width keeps the found servers readable', async ({ browser }) => {
  const app = await openAppWindow(browser, { width: 390, height: 844 })
  await expect.poll(() => main.lan.browsing).toBe(true)
  main.lan.up(labOne)
  main.lan.up(openDesk)
  const lan = app.getByRole('region', { name: 'On your network' })
  await expect(lan.getByRole('button')).toHaveCount(2)
  await lan.scrollIntoViewIfNeeded()
  await app.screenshot({ path: join(artifacts, 'lan-connect-phone.png'), fullPage: true })
  main.lan.down(labOne.fqdn)
  main.lan.down(openDesk.fqdn)
})

test('the web client (no desktop bridge) shows no LAN list and nothing breaks', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  contexts.push(context)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(main.appUrl)
  await expect(page.getByRole('textbox', { name: 'Server address' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'On your network' })).toHaveCount(0)
  expect(errors).toEqual([])
})

test('hosting on the local network: TLS is on by default, the panel shows the fingerprint and the join link carries it', async ({
  browser
}) => {
  // Chromium here has no Electron verify hook; main's hook trusts the app's own server on
  // loopback (app-bootstrap.test.ts), which ignoreHTTPSErrors stands in for.
  const app = await openAppWindow(browser, { width: 1280, height: 800 }, { ignoreHTTPSErrors: true })
  await app.getByRole('button', { name: 'Host a server' }).click()
  const panel = app.getByRole('region', { name: 'Host a server' })
  await panel.getByRole('textbox', { name: 'Port', exact: true }).fill('0')
  await panel.getByRole('textbox', { name: 'Server name', exact: true }).fill('Secure Den')
  await panel.getByRole('textbox', { name: 'Your nickname', exact: true }).fill('hostess')
  const tls = panel.getByRole('checkbox', { name: 'Encrypt with TLS (self-signed certificate)' })
  const announce = panel.getByRole('checkbox', { name: 'Announce on the local network' })
  await expect(tls).not.toBeChecked()
  await expect(announce).toBeDisabled()
  await panel.getByRole('radio', { name: 'Local network' }).check()
  await expect(tls).toBeChecked()
  await expect(announce).toBeChecked()
  await app.screenshot({ path: join(artifacts, 'lan-host-form.png') })
  await panel.getByRole('button', { name: 'Start server' }).click()

  await expect(app.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
  const status = main.host.status()
  if (status.state !== 'running') throw new Error(`not running: ${status.state}`)
  expect(status).toMatchObject({ tls: true, scope: 'lan', announced: false })
  expect(status.selfUrl).toMatch(/^wss:\/\/127\.0\.0\.2:\d+\/ws$/)
  const fingerprint = status.fingerprint!
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)

  await app.getByRole('button', { name: 'Inspector' }).click()
  const inspector = app.getByRole('region', { name: 'Connection inspector' })
  await inspector.getByRole('tab', { name: 'Server' }).click()
  const shown = inspector
    .getByRole('code')
    .filter({ hasText: fingerprint.slice(0, 4).toUpperCase() })
    .first()
  await expect(inspector.getByText('TLS certificate fingerprint (SHA-256)')).toBeVisible()
  expect((await inspector.locator('.host-fingerprint').textContent())!.replace(/\s/g, '').toLowerCase()).toBe(
    fingerprint
  )
  await expect(shown).toBeVisible()
  const addresses = inspector.getByRole('list', { name: 'Server addresses' })
  await expect(addresses.getByRole('listitem').first()).toContainText('wss://127.0.0.2:')
  await expect(addresses.getByRole('img')).toHaveCount(1)
  for (const qr of await addresses.getByRole('img').all()) {
    expect(await qr.getAttribute('alt')).toMatch(new RegExp(`^QR code for https://.+/#fp=${fingerprint}$`))
  }
  await app.screenshot({ path: join(artifacts, 'lan-host-tls-desktop.png') })

  // Signed out of the chat, the connect screen shows the running server's panel: the same facts.
  await inspector
    .getByRole('button', { name: 'Close inspector' })
    .click()
    .catch(() => undefined)
  await app.getByRole('button', { name: 'Sign out' }).click()
  const yours = app.getByRole('region', { name: 'Your server' })
  await expect(yours.locator('.host-fingerprint')).toBeVisible()
  await app.screenshot({ path: join(artifacts, 'lan-host-panel-desktop.png'), fullPage: true })
  await app.setViewportSize({ width: 390, height: 844 })
  await app.screenshot({ path: join(artifacts, 'lan-host-panel-phone.png'), fullPage: true })
  await main.host.stop()
})
