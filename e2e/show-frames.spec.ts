import { expect, test } from '@playwright/test'
import { expectConnected, inspector, messages, openPerson, say, signIn } from './helpers/chat-page'
import { ARTIFACTS, useChatServer } from './helpers/chat-server-fixture'

// A chat message and its frames, linked both ways. Runs against `out/` (build first).

const fixture = useChatServer({ stopSignal: 'SIGKILL' })

test('"Show frames" on a sent message shows its send and its echo, and a frame leads back', async ({
  browser
}) => {
  const alice = await openPerson(browser, fixture.server.httpUrl, 'alice')
  fixture.people.push(alice)
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
