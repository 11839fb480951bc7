import { readFileSync } from 'node:fs'
import { deflateSync, crc32 } from 'node:zlib'
import { expect, test, type Page } from '@playwright/test'
import { expectConnected, members, messages, openPerson, say, signIn } from './helpers/chat-page'
import { ARTIFACTS, useChatServer } from './helpers/chat-server-fixture'
import { removeDataDir, startServer, stopServer } from './helpers/parley-server'

// Runs against `out/`: `npm test` builds before the end-to-end stage (`npx electron-vite build` by hand).
const ADMIN_TOKEN = 'e2e-admin-token'

test.describe.configure({ mode: 'serial' })
test.use({ trace: 'off' })

/** A real PNG (a colour gradient), so the thumbnail has something to show. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (width * 3 + 1) + 1 + x * 3
      rows.set([Math.round((x / width) * 255), Math.round((y / height) * 255), 180], at)
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))
  ])
}

async function pasteImage(page: Page, bytes: Buffer, name: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).evaluate(
    (element, { base64, fileName }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      const transfer = new DataTransfer()
      transfer.items.add(new File([data], fileName, { type: 'image/png' }))
      element.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true })
      )
    },
    { base64: bytes.toString('base64'), fileName: name }
  )
}

async function sessionToken(page: Page): Promise<string> {
  const raw = await page.evaluate(() => sessionStorage.getItem('parley.session.last'))
  return (JSON.parse(raw ?? '{}') as { token: string }).token
}

const fixture = useChatServer({ extraArgs: ['--admin-token', ADMIN_TOKEN], stopSignal: 'SIGKILL' })

test('a file and a pasted image: progress while uploading, the other person sees the thumbnail and downloads the file', async ({
  browser
}) => {
  const people = await Promise.all(
    ['alice', 'bob'].map((nick) => openPerson(browser, fixture.server.httpUrl, nick))
  )
  fixture.people.push(...people)
  const [alice, bob] = people.map((p) => p.page) as [Page, Page]
  for (const person of people) {
    await signIn(person)
    await expectConnected(person)
  }

  // A slow link for alice's uploads, so the progress bar is there to see and to cancel.
  const cdp = await alice.context().newCDPSession(alice)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 256 * 1024
  })
  const report = Buffer.alloc(3 * 1024 * 1024, 'Quarterly numbers, line after line.\n')
  const chooser = alice.waitForEvent('filechooser')
  await alice.getByRole('button', { name: 'Attach file' }).click()
  await (await chooser).setFiles({ name: 'q3-report.txt', mimeType: 'text/plain', buffer: report })
  const progress = alice.getByRole('progressbar', { name: 'Uploading q3-report.txt' })
  await expect(progress).toBeVisible()
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 10_000 })
    .toBeGreaterThan(0)
  await alice.screenshot({ path: `${ARTIFACTS}/upload-progress.png` })
  await alice.setViewportSize({ width: 390, height: 844 })
  await alice.screenshot({ path: `${ARTIFACTS}/upload-progress-phone.png` })
  await alice.setViewportSize({ width: 1280, height: 800 })

  // Cancel takes it away; attaching again (fast this time) gets it ready.
  await alice.getByRole('button', { name: 'Cancel upload of q3-report.txt' }).click()
  await expect(progress).toHaveCount(0)
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1
  })
  const again = alice.waitForEvent('filechooser')
  await alice.getByRole('button', { name: 'Attach file' }).click()
  await (await again).setFiles({ name: 'q3-report.txt', mimeType: 'text/plain', buffer: report })
  await pasteImage(alice, png(320, 200), 'screenshot.png')
  const tray = alice.getByRole('list', { name: 'Attachments' })
  await expect(tray.getByText('Ready to send')).toHaveCount(2, { timeout: 15_000 })
  await say(alice, 'the report, and a screenshot')

  const message = messages(bob).locator('article.message', { hasText: 'the report, and a screenshot' })
  const thumbnail = message.getByRole('button', { name: /screenshot\.png/ })
  await expect(thumbnail.locator('img')).toBeVisible()
  await expect
    .poll(() => thumbnail.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBe(320)
  const card = message.getByLabel('File q3-report.txt')
  await expect(card).toContainText('3.0 MiB')
  await bob.screenshot({ path: `${ARTIFACTS}/attachments.png` })

  const download = bob.waitForEvent('download')
  await card.getByRole('link', { name: 'Download' }).click()
  const saved = await (await download).path()
  expect(readFileSync(saved).equals(report)).toBe(true)

  await thumbnail.click()
  const viewer = bob.getByRole('dialog', { name: 'screenshot.png' })
  await expect(viewer.locator('img')).toBeVisible()
  await bob.screenshot({ path: `${ARTIFACTS}/image-full-size.png` })
  await bob.keyboard.press('Escape')
  await expect(viewer).toHaveCount(0)

  await bob.setViewportSize({ width: 390, height: 844 })
  await expect(message.getByLabel('File q3-report.txt')).toBeVisible()
  await bob.screenshot({ path: `${ARTIFACTS}/attachments-phone.png` })
  await bob.setViewportSize({ width: 1280, height: 800 })
})

test('a moderator kicks someone, and that person is told they were removed', async ({ browser }) => {
  const carol = await openPerson(browser, fixture.server.httpUrl, 'carol')
  fixture.people.push(carol)
  await signIn(carol)
  await expectConnected(carol)
  const [alice] = fixture.people.map((p) => p.page) as [Page]

  // The owner (the admin token) names alice a moderator; her app asks for its role on welcome.
  const me = await fetch(`${fixture.server.httpUrl}api/me`, {
    headers: { Authorization: `Bearer ${await sessionToken(alice)}` }
  })
  const { user } = (await me.json()) as { user: { id: string } }
  const named = await fetch(`${fixture.server.httpUrl}api/moderators/${user.id}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }
  })
  expect(named.status).toBe(200)
  await alice.reload()
  await expectConnected(fixture.people[0]!)

  await members(alice).getByRole('button', { name: 'Moderate carol' }).click()
  await alice.getByRole('textbox', { name: 'Reason for removing carol' }).fill('Flooding the room')
  await alice.screenshot({ path: `${ARTIFACTS}/moderate-member.png` })
  await alice.getByRole('button', { name: 'Kick', exact: true }).click()
  await expect(alice.getByRole('status').filter({ hasText: 'carol was removed' })).toBeVisible()

  const banner = carol.page.getByRole('alert').filter({ hasText: 'You were removed from the chat' })
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('Flooding the room')
  await carol.page.screenshot({ path: `${ARTIFACTS}/kicked.png` })
  await carol.page.setViewportSize({ width: 390, height: 844 })
  await carol.page.screenshot({ path: `${ARTIFACTS}/kicked-phone.png` })
  // 4410 is not retried by itself: still removed a few seconds later.
  await carol.page.waitForTimeout(3000)
  await expect(carol.page.getByRole('status', { name: 'Connection status' })).not.toHaveText('Connected')
  await expect(members(alice).getByText('carol')).toHaveCount(0)
})

test('a file over the server limit is refused with the server’s sentence, and nothing is sent', async ({
  browser
}) => {
  const small = await startServer({ extraArgs: ['--max-file-bytes', String(256 * 1024)] })
  try {
    const dave = await openPerson(browser, small.httpUrl, 'dave')
    fixture.people.push(dave)
    await signIn(dave)
    await expectConnected(dave)
    const chooser = dave.page.waitForEvent('filechooser')
    await dave.page.getByRole('button', { name: 'Attach file' }).click()
    await (
      await chooser
    ).setFiles({
      name: 'big.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(2 * 1024 * 1024)
    })
    const tray = dave.page.getByRole('list', { name: 'Attachments' })
    await expect(tray.getByRole('alert')).toContainText('Files can be at most 0.3 MiB on this server.', {
      timeout: 15_000
    })
    await dave.page.screenshot({ path: `${ARTIFACTS}/upload-refused.png` })
    await expect(dave.page.getByRole('button', { name: 'Send' })).toBeDisabled()
  } finally {
    await stopServer(small, 'SIGKILL')
    removeDataDir(small.dataDir)
  }
})
