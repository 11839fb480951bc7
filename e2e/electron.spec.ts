/**
 * Smoke test of the real desktop app through Playwright's Electron driver: the window opens on
 * parley://app, hosting from the UI works, the app joins its own server, and a message sent in
 * the window reaches another client. It needs the Electron binary, which `npm install`
 * downloads where the internet is reachable; where it is missing (these build machines), the
 * test is reported as skipped with the reason, never as passed.
 * On a Linux machine without a display, run it under `xvfb-run npx playwright test e2e/electron.spec.ts`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import WebSocket from 'ws'
import { SUBPROTOCOL } from '../src/shared/protocol'

const root = join(import.meta.dirname, '..')

/** The binary `npm install electron` put in place, found without require('electron') (which would try to download it). */
function electronBinary(): string | null {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = join(
      process.env.ELECTRON_OVERRIDE_DIST_PATH,
      process.platform === 'win32' ? 'electron.exe' : 'electron'
    )
    return existsSync(exe) ? exe : null
  }
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt')
  if (!existsSync(pathFile)) return null
  const exe = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(exe) ? exe : null
}

const binary = electronBinary()

test.skip(
  binary === null,
  'No Electron binary here (ELECTRON_SKIP_BINARY_DOWNLOAD / no internet): the desktop smoke test needs one. The bridge harness (e2e/bridge.spec.ts) covers the same flow in Chromium.'
)

test('the desktop app opens, hosts, joins its own server and chats', async () => {
  expect(existsSync(join(root, 'out', 'main', 'index.js')), 'run `npx electron-vite build` first').toBe(true)
  const userData = mkdtempSync(join(tmpdir(), 'parley-electron-'))
  const app = await electron.launch({
    executablePath: binary!,
    args: [join(root, 'out', 'main', 'index.js')],
    env: { ...process.env, PARLEY_USER_DATA_DIR: userData, PARLEY_LOG_LEVEL: 'warn', PARLEY_NO_MDNS: '1' }
  })
  const sockets: WebSocket[] = []
  try {
    const window = await app.firstWindow()
    expect(window.url()).toBe('parley://app/')
    // The sandboxed renderer has the bridge and nothing else from Node.
    expect(await window.evaluate(() => typeof (globalThis as { parley?: unknown }).parley)).toBe('object')
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined'
    )

    await window.getByRole('button', { name: 'Host a server' }).click()
    const panel = window.getByRole('region', { name: 'Host a server' })
    await panel.getByRole('textbox', { name: 'Port', exact: true }).fill('0')
    await panel.getByRole('textbox', { name: 'Server name', exact: true }).fill('Smoke')
    await panel.getByRole('textbox', { name: 'Your nickname', exact: true }).fill('desk')
    await panel.getByRole('radio', { name: 'This computer only' }).check()
    await panel.getByRole('button', { name: 'Start server' }).click()
    await expect(window.getByRole('textbox', { name: 'Message' })).toBeVisible({ timeout: 15_000 })

    await window.getByRole('button', { name: 'Inspector' }).click()
    const inspector = window.getByRole('region', { name: 'Connection inspector' })
    await inspector.getByRole('tab', { name: 'Server' }).click()
    const address = (await inspector
      .getByRole('list', { name: 'Server addresses' })
      .locator('code')
      .first()
      .textContent())!
    expect(address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/)

    // Another member joins from outside the app and hears the window's message.
    const peer = new WebSocket(address, SUBPROTOCOL)
    sockets.push(peer)
    const heard = new Promise<string>((resolve) =>
      peer.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; text?: string }
        if (message.type === 'message') resolve(message.text!)
      })
    )
    await new Promise<void>((resolve, reject) => {
      peer.once('open', () => resolve())
      peer.once('error', reject)
    })
    peer.send(JSON.stringify({ type: 'hello', nick: 'peer' }))
    await expect(
      inspector.getByRole('table', { name: 'Connections' }).getByRole('row').filter({ hasText: 'peer' })
    ).toHaveCount(1)
    await window.getByRole('textbox', { name: 'Message' }).fill('hello from the desktop')
    await window.getByRole('button', { name: 'Send' }).click()
    expect(await heard).toBe('hello from the desktop')
  } finally {
    for (const socket of sockets) socket.terminate()
    await app.close()
    rmSync(userData, { recursive: true, force: true })
  }
})
