/**
 * Fault injection from the host panel's connections tab, through the desktop bridge harness (the
 * built renderer, the real preload API, main's real handlers in this process): the host closes a
 * web client's connection with a chosen code and holds its frames, and the client sees it.
 */
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

async function newPage(browser: Browser, withBridge: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  contexts.push(context)
  const page = await context.newPage()
  if (withBridge) {
    await main.attach(page)
    await page.addInitScript({ content: preload })
  }
  await page.goto(main.appUrl)
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
