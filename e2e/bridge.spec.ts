/**
 * The desktop bridge end to end without an Electron binary: the built renderer in Chromium, the
 * real preload API (built from the same contract) on a Playwright binding, and main's real
 * handlers and services in this test process. A second browser context is a plain web client
 * that joins through the address the host's UI shows.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { buildHarnessPreload } from './bridge-harness/build-preload'
import { startHarnessMain, type HarnessMain } from './bridge-harness/main-process'
import type { Settings } from '../src/shared/ipc'

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
  // Built outside test-results/, which another Playwright run may empty at any moment.
  preloadDir = mkdtempSync(join(tmpdir(), 'parley-harness-preload-'))
  preload = await buildHarnessPreload(preloadDir)
  main = await startHarnessMain(rendererDir)
})

test.afterAll(async () => {
  try {
    // A context can fail to close (its trace file gone); main and its server must close anyway.
    for (const context of contexts) await context.close().catch(() => undefined)
  } finally {
    await main?.close()
  }
  if (preloadDir) rmSync(preloadDir, { recursive: true, force: true })
})

async function openAppWindow(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  contexts.push(context)
  const page = await context.newPage()
  await main.attach(page)
  await page.addInitScript({ content: preload })
  await page.goto(main.appUrl)
  return page
}

async function openWebClient(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  contexts.push(context)
  const page = await context.newPage()
  await page.goto(main.appUrl)
  return page
}

test('host from the app, a web client joins through the shown address, they chat, stop gives the joiner 1001', async ({
  browser
}) => {
  const host = await openAppWindow(browser)
  const errors: string[] = []
  host.on('pageerror', (error) => errors.push(error.message))
  host.on('console', (message) => {
    // Failed loads are checked by URL below; a WebSocket refused after the stop is expected.
    if (message.type() === 'error' && !/^Failed to load resource|WebSocket/.test(message.text())) {
      errors.push(message.text())
    }
  })
  host.on('response', (response) => {
    // Chromium asks every page for /favicon.ico; the renderer has none to give.
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
      errors.push(`${response.status()} ${response.url()}`)
    }
  })

  await host.getByRole('button', { name: 'Host a server' }).click()
  const panel = host.getByRole('region', { name: 'Host a server' })
  await panel.getByRole('textbox', { name: 'Port', exact: true }).fill('0')
  await panel.getByRole('textbox', { name: 'Server name', exact: true }).fill('Harness Den')
  await panel.getByRole('textbox', { name: 'Your nickname', exact: true }).fill('hostess')
  await expect(panel.getByRole('radio', { name: 'This computer only' })).toBeChecked()
  await panel.getByRole('radio', { name: 'Local network' }).check()
  await panel.getByRole('radio', { name: 'This computer only' }).check()
  await host.screenshot({ path: join(artifacts, 'bridge-host-form.png') })
  await panel.getByRole('button', { name: 'Start server' }).click()

  // The host joins its own server automatically: the chat screen appears.
  await expect(host.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
  expect(main.host.status().state).toBe('running')

  // The address the host's UI shows, in the inspector's Server tab.
  await host.getByRole('button', { name: 'Inspector' }).click()
  const hostInspector = host.getByRole('region', { name: 'Connection inspector' })
  await hostInspector.getByRole('tab', { name: 'Server' }).click()
  const addresses = hostInspector.getByRole('list', { name: 'Server addresses' })
  await expect(addresses.getByRole('listitem')).toHaveCount(1)
  const shownAddress = (await addresses.getByRole('listitem').first().locator('code').textContent())!.trim()
  expect(shownAddress).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/)
  await expect(hostInspector.getByRole('button', { name: `Copy ${shownAddress}` })).toBeVisible()

  // A second person, in the plain web client, types that address.
  const guest = await openWebClient(browser)
  await expect(guest.getByRole('button', { name: 'Host a server' })).toHaveCount(0)
  await guest.getByRole('textbox', { name: 'Server address' }).fill(shownAddress)
  await guest.getByRole('textbox', { name: 'Nickname' }).fill('guest')
  await guest.getByRole('button', { name: 'Connect' }).click()
  await expect(guest.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })

  // They chat both ways.
  await guest.getByRole('textbox', { name: 'Message' }).fill('hello from the guest')
  await guest.getByRole('button', { name: 'Send' }).click()
  await expect(host.getByText('hello from the guest')).toBeVisible()
  await host.getByRole('textbox', { name: 'Message' }).fill('welcome, guest')
  await host.getByRole('button', { name: 'Send' }).click()
  await expect(guest.getByText('welcome, guest')).toBeVisible()

  // A mention of the host becomes a native notification request (the harness window is unfocused).
  await guest.getByRole('textbox', { name: 'Message' }).fill('@hostess are you there?')
  await guest.getByRole('button', { name: 'Send' }).click()
  await expect(host.getByText('@hostess are you there?')).toBeVisible()
  await expect
    .poll(() => main.notifications)
    .toContainEqual({ title: 'guest in #general', body: '@hostess are you there?' })

  // The host's Connections table shows the joiner, open.
  const table = hostInspector.getByRole('table', { name: 'Connections' })
  const guestRow = table.getByRole('row').filter({ hasText: 'guest' })
  await expect(guestRow).toContainText('open')
  await expect(table.getByRole('row').filter({ hasText: 'hostess' })).toContainText('open')
  await host.screenshot({ path: join(artifacts, 'bridge-host-server-tab.png') })

  // Stop: the joiner's inspector gets a 1001 close row.
  await guest.getByRole('button', { name: 'Inspector' }).click()
  await hostInspector.getByRole('button', { name: 'Stop server' }).click()
  const guestInspector = guest.getByRole('region', { name: 'Connection inspector' })
  await expect(
    guestInspector.getByRole('region', { name: 'Closes' }).getByRole('row').filter({ hasText: '1001' })
  ).toHaveCount(1, {
    timeout: 10_000
  })
  expect(main.host.status().state).toBe('stopped')
  expect(main.host.connections().find((row) => row.nick === 'guest')).toMatchObject({
    state: 'closed',
    code: 1001
  })
  await guest.screenshot({ path: join(artifacts, 'bridge-guest-1001.png') })

  // Back on the connect screen, the host can host again; the panel remembers the last choices.
  await expect(host.getByRole('button', { name: 'Host a server' })).toBeVisible()
  await host.getByRole('button', { name: 'Host a server' }).click()
  await expect(
    host
      .getByRole('region', { name: 'Host a server' })
      .getByRole('textbox', { name: 'Server name', exact: true })
  ).toHaveValue('Harness Den')
  await host.screenshot({ path: join(artifacts, 'bridge-host-panel.png') })
  expect(errors).toEqual([])
})

test('a page that is not the app cannot call main, and the web client has no bridge', async ({ browser }) => {
  const page = await openWebClient(browser)
  await expect(page.getByRole('textbox', { name: 'Server address' })).toBeVisible()
  expect(await page.evaluate(() => 'parley' in globalThis)).toBe(false)
  // Theme is a browser preference too; notifications are the desktop app's alone.
  await expect(page.getByRole('combobox', { name: 'Theme' })).toBeVisible()
  await expect(page.getByRole('checkbox', { name: 'Desktop notifications' })).toHaveCount(0)

  // The page runs under the production CSP header (the same handler serves parley://app): an
  // injected inline script is refused by that policy, which alone has frame-ancestors.
  // (page.evaluate itself is exempt from CSP, as DevTools is.)
  const refusedBy = await page.evaluate(async () => {
    type Doc = {
      createElement(tag: string): { textContent: string }
      head: { append(node: unknown): void }
      addEventListener(type: string, listener: (event: { originalPolicy: string }) => void): void
    }
    const doc = (globalThis as unknown as { document: Doc }).document
    const policies: string[] = []
    doc.addEventListener('securitypolicyviolation', (event) => policies.push(event.originalPolicy))
    const script = doc.createElement('script')
    script.textContent = 'globalThis.inlineRan = true'
    doc.head.append(script)
    await new Promise((resolve) => setTimeout(resolve, 100))
    return { ran: (globalThis as { inlineRan?: boolean }).inlineRan ?? false, policies }
  })
  expect(refusedBy.ran).toBe(false)
  expect(refusedBy.policies.some((policy) => policy.includes("frame-ancestors 'none'"))).toBe(true)

  // An app window whose frame navigated to another origin is refused by the sender check.
  const stranger = await openAppWindow(browser)
  await stranger.goto('about:blank')
  await stranger.setContent('<p>not the app</p>')
  const reply = await stranger.evaluate(() =>
    (globalThis as unknown as { parley: { settings: { get(): Promise<unknown> } } }).parley.settings
      .get()
      .then(
        () => 'resolved',
        (error: Error & { code?: string }) => `${error.code}: ${error.message}`
      )
  )
  expect(reply).toMatch(/^untrusted_sender: /)
})

test('a corrupt settings file is reported in the app and replaced, not a crash', async ({ browser }) => {
  const corrupt = await startHarnessMain(rendererDir, { settingsFile: '{"nickname": "ada",' })
  try {
    const context = await browser.newContext()
    contexts.push(context)
    const page = await context.newPage()
    await corrupt.attach(page)
    await page.addInitScript({ content: preload })
    await page.goto(corrupt.appUrl)
    const notice = page.getByRole('status').filter({ hasText: 'Your settings were reset' })
    await expect(notice).toContainText('not valid JSON')
    await expect(notice).toContainText('settings.json.corrupt-')
    await notice.getByRole('button', { name: 'Dismiss' }).click()
    await expect(notice).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Host a server' })).toBeVisible()
  } finally {
    await corrupt.close()
  }
})

test('theme, nickname and the session survive a reload and an app restart, in the settings file on disk', async ({
  browser
}) => {
  const running = await main.host.start({ port: 0, name: 'Settings Den', scope: 'local' })
  if (running.state !== 'running') throw new Error(`the host did not start: ${running.state}`)
  const readSettings = () => JSON.parse(readFileSync(main.settingsFile, 'utf8')) as Settings
  const html = (page: Page) => page.locator('html')

  try {
    const app = await openAppWindow(browser)
    const theme = app.getByRole('combobox', { name: 'Theme' })
    await expect(theme).toHaveValue('system')
    await expect(app.getByRole('checkbox', { name: 'Desktop notifications' })).toBeChecked()
    await app.locator('.connect-card').screenshot({ path: join(artifacts, 'settings-theme-light.png') })
    await theme.selectOption('dark')
    await expect(html(app)).toHaveAttribute('data-theme', 'dark')
    await app.locator('.connect-card').screenshot({ path: join(artifacts, 'settings-theme-dark.png') })
    await expect.poll(() => readSettings().theme).toBe('dark')

    await app.getByRole('textbox', { name: 'Server address' }).fill(running.selfUrl)
    await app.getByRole('textbox', { name: 'Nickname' }).fill('ada')
    await app.getByRole('button', { name: 'Connect' }).click()
    await expect(app.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
    // The session token is written to the settings file, next to the server and nickname.
    await expect.poll(() => readSettings().recentServers[0]?.lastSession?.token).toEqual(expect.any(String))
    expect(readSettings()).toMatchObject({ nickname: 'ada', theme: 'dark' })
    expect(readSettings().recentServers[0]).toMatchObject({ url: running.selfUrl, nick: 'ada' })
    const firstUserId = main.host.connections().find((row) => row.nick === 'ada')?.userId
    expect(firstUserId).toBeTruthy()

    // A reload: the theme is applied from the settings file before the first frame.
    await app.reload()
    await expect(app.getByText('signed in as ada')).toBeVisible({ timeout: 15_000 })
    await expect(html(app)).toHaveAttribute('data-theme', 'dark')
    await expect(app.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark')
    await app.screenshot({ path: join(artifacts, 'settings-chat-dark.png') })

    // Quit and start the app again: nothing left in the window's own storage, only the file.
    await app.context().close()
    const reopened = await openAppWindow(browser)
    await expect(html(reopened)).toHaveAttribute('data-theme', 'dark')
    await expect(reopened.getByRole('textbox', { name: 'Nickname' })).toHaveValue('ada')
    await expect(reopened.getByRole('textbox', { name: 'Server address' })).toHaveValue(
      running.selfUrl.replace(/^ws:\/\//, '').replace(/\/ws$/, '')
    )
    await expect(
      reopened.getByRole('region', { name: 'Recent servers' }).getByRole('button', { name: /^ada @ / })
    ).toBeVisible()
    await reopened.getByRole('button', { name: 'Connect' }).click()
    await expect(reopened.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
    // The kept token took the session back: the same user, not a new one with the same nick.
    await expect
      .poll(() => main.host.connections().filter((row) => row.nick === 'ada' && row.state === 'open'))
      .toEqual([expect.objectContaining({ userId: firstUserId })])

    // Notifications off is written through too; signing out drops the token from the file.
    await reopened.getByRole('checkbox', { name: 'Desktop notifications' }).uncheck()
    await expect.poll(() => readSettings().notifications).toBe(false)
    await reopened.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => readSettings().recentServers[0]?.lastSession).toBeUndefined()
    expect(readSettings().recentServers[0]).toMatchObject({ url: running.selfUrl, nick: 'ada' })
  } finally {
    await main.host.stop()
  }
})

test('the host owns its server: it bans a guest from the member list, sees the ban in the Server tab, and lifts it', async ({
  browser
}) => {
  const host = await openAppWindow(browser)
  await host.getByRole('button', { name: 'Host a server' }).click()
  const panel = host.getByRole('region', { name: 'Host a server' })
  await panel.getByRole('textbox', { name: 'Port', exact: true }).fill('0')
  await panel.getByRole('textbox', { name: 'Your nickname', exact: true }).fill('owner')
  await panel.getByRole('button', { name: 'Start server' }).click()
  await expect(host.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
  const status = main.host.status()
  if (status.state !== 'running') throw new Error('not hosting')

  const guest = await openWebClient(browser)
  await guest.getByRole('textbox', { name: 'Server address' }).fill(status.selfUrl)
  await guest.getByRole('textbox', { name: 'Nickname' }).fill('troll')
  await guest.getByRole('button', { name: 'Connect' }).click()
  await expect(guest.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })
  const guestRole = async () => {
    const token = await guest.evaluate(
      () => (JSON.parse(sessionStorage.getItem('parley.session.last') ?? '{}') as { token?: string }).token
    )
    const me = await fetch(`${status.selfUrl.replace(/^ws/, 'http').replace(/\/ws$/, '')}/api/me`, {
      headers: { Authorization: `Bearer ${token}` }
    })
    return ((await me.json()) as { role: string }).role
  }

  // The owner's window holds the server's admin token: Kick and Ban are on every other member.
  const members = host.getByRole('list', { name: 'Members' })
  // Only the owner names moderators.
  await members.getByRole('button', { name: 'Moderate troll' }).click()
  await host.getByRole('button', { name: 'Make moderator' }).click()
  await expect(host.getByRole('status').filter({ hasText: 'troll is now a moderator.' })).toBeVisible()
  expect(await guestRole()).toBe('moderator')
  await members.getByRole('button', { name: 'Moderate troll' }).click()
  await host.getByRole('textbox', { name: 'Reason for removing troll' }).fill('Spam links')
  await host.screenshot({ path: join(artifacts, 'bridge-host-moderate.png') })
  await host.getByRole('button', { name: 'Ban', exact: true }).click()
  await expect(host.getByRole('status').filter({ hasText: 'troll was banned' })).toBeVisible()
  await expect(guest.getByRole('alert').filter({ hasText: 'You are banned from this server' })).toContainText(
    'Spam links'
  )
  await expect(guest.getByRole('button', { name: 'Reconnect' })).toHaveCount(0)
  await guest.screenshot({ path: join(artifacts, 'bridge-guest-banned.png') })

  await host.getByRole('button', { name: 'Inspector' }).click()
  const inspector = host.getByRole('region', { name: 'Connection inspector' })
  await inspector.getByRole('tab', { name: 'Server' }).click()
  const row = inspector
    .getByRole('table', { name: 'Connections' })
    .getByRole('row')
    .filter({ hasText: 'troll' })
  await expect(row).toContainText('4411 Banned')
  await expect(row).toContainText('Banned: Spam links')
  const bans = inspector.getByRole('region', { name: 'Bans' })
  await expect(bans.getByRole('listitem')).toHaveCount(1)
  await expect(bans).toContainText('troll')
  await host.screenshot({ path: join(artifacts, 'bridge-host-bans.png') })

  await bans.getByRole('button', { name: 'Lift ban' }).click()
  await expect(bans).toContainText('Nobody is banned.')
  await inspector.getByRole('button', { name: 'Stop server' }).click()
  await expect(host.getByRole('button', { name: 'Host a server' })).toBeVisible()
})
