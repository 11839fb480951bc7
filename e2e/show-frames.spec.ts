import { mkdirSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import {
  closeAll,
  expectConnected,
  inspector,
  messages,
  openPerson,
  say,
  signIn,
  type Person
} from './helpers/chat-page'
import {
  makeDataDir,
  removeDataDir,
  startServer,
  stopServer,
  type ParleyServer
} from './helpers/parley-server'

// A chat message and its frames, linked both ways. Runs against `out/` (build first).
const ARTIFACTS = 'e2e-artifacts'

let server: ParleyServer
let dataDir: string
let people: Person[] = []

test.beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  dataDir = makeDataDir()
  server = await startServer({ dataDir })
})

test.afterAll(async () => {
  await closeAll(people)
  if (server) await stopServer(server, 'SIGKILL')
  removeDataDir(dataDir)
})

test('"Show frames" on a sent message shows its send and its echo, and a frame leads back', async ({
  browser
}) => {
  const alice = await openPerson(browser, server.httpUrl, 'alice')
  people = [alice]
  const { page } = alice
  await signIn(alice)
  await expectConnected(alice)
  await say(page, 'first, not this one')
  await say(page, 'hello frames')
  const message = messages(page).getByRole('article', { name: 'alice: hello frames' })
  await expect(message.getByLabel('Delivered')).toBeVisible()

  await message.hover()
  await message.getByRole('button', { name: 'Show frames' }).click()
  const panel = inspector(page)
  await expect(panel.getByRole('tab', { name: 'Frames' })).toHaveAttribute('aria-selected', 'true')
  await expect(panel.getByRole('status')).toContainText(/Frames of message #\d+ \(cid .+\) in #general/)
  const rows = panel.getByRole('list', { name: 'Frames' }).locator('.frame-summary')
  await expect(rows).toHaveCount(2)
  await expect(rows.nth(0)).toContainText('the send')
  await expect(rows.nth(0)).toContainText('"type":"send"')
  await expect(rows.nth(0)).toContainText('hello frames')
  await expect(rows.nth(1)).toContainText('the server’s echo')
  await expect(rows.nth(1)).toContainText('"type":"message"')
  await page.screenshot({ path: `${ARTIFACTS}/show-frames-desktop.png` })

  // The echo links back to its message in the chat.
  await rows.nth(1).click()
  await panel.getByRole('button', { name: /^Go to message #\d+$/ }).click()
  await expect(messages(page).locator('article[aria-current="true"]')).toHaveAccessibleName(
    'alice: hello frames'
  )

  await panel.getByRole('button', { name: 'Show all frames' }).click()
  await expect.poll(() => rows.count()).toBeGreaterThan(2)
})
