/**
 * Messages as people use them, two people in Chromium against the real CLI server: edit (Up
 * arrow), reply (and the quote that jumps), react (quick set and emoji search), delete (with its
 * confirmation). Everything is found by accessible name, as a screen reader would.
 */
import { expect, test, type Page } from '@playwright/test'
import { expectConnected, messages, openPerson, say, signIn } from './helpers/chat-page'
import { ARTIFACTS, useChatServer } from './helpers/chat-server-fixture'

const fixture = useChatServer()

const message = (page: Page, name: string | RegExp) => messages(page).getByRole('article', { name })

/** The message's actions show on hover (and focus), as in Slack. */
async function act(page: Page, name: string | RegExp, action: string): Promise<void> {
  const row = message(page, name)
  await row.hover()
  await row.getByRole('button', { name: action }).click()
}

test('edit, reply, react and delete, seen by both people', async ({ browser }) => {
  const ann = await openPerson(browser, fixture.server.httpUrl, 'ann')
  const bob = await openPerson(browser, fixture.server.httpUrl, 'bob')
  fixture.people.push(ann, bob)
  await signIn(ann)
  await signIn(bob)
  await expectConnected(ann)
  await expectConnected(bob)

  // Edit: Up arrow in the empty composer edits your last message in place.
  await say(ann.page, 'helo wrold')
  await expect(message(bob.page, 'ann: helo wrold')).toBeVisible()
  await ann.page.getByRole('textbox', { name: 'Message' }).press('ArrowUp')
  const editor = ann.page.getByRole('textbox', { name: 'Edit message' })
  await expect(editor).toHaveValue('helo wrold')
  await editor.fill('hello world')
  await editor.press('Enter')
  for (const { page } of fixture.people) {
    await expect(message(page, 'ann: hello world')).toContainText('(edited)')
  }

  // Reply: the composer says whom it answers; the reply quotes the original.
  await act(bob.page, 'ann: hello world', 'Reply')
  await expect(bob.page.getByRole('status').filter({ hasText: 'Replying to ann' })).toBeVisible()
  await say(bob.page, 'hi ann')
  const quote = message(ann.page, 'bob: hi ann').getByRole('button', {
    name: 'Reply to ann: hello world. Show it'
  })
  await expect(quote).toBeVisible()
  await expect(bob.page.getByRole('status').filter({ hasText: 'Replying to' })).toHaveCount(0)

  // React: from the quick set, then by searching; counts and who reacted.
  await act(bob.page, 'ann: hello world', 'Add reaction')
  await bob.page
    .getByRole('dialog', { name: 'Add reaction' })
    .getByRole('button', { name: 'React with 🎉' })
    .click()
  const party = message(ann.page, 'ann: hello world').getByRole('button', { name: '🎉 1: bob' })
  await expect(party).toBeVisible()
  await party.click()
  await expect(
    message(bob.page, 'ann: hello world').getByRole('button', { name: '🎉 2: you and ann' })
  ).toBeVisible()
  await expect(
    message(ann.page, 'ann: hello world').getByRole('button', { name: '🎉 2: bob and you' })
  ).toHaveAttribute('aria-pressed', 'true')
  await act(bob.page, 'ann: hello world', 'Add reaction')
  const picker = bob.page.getByRole('dialog', { name: 'Add reaction' })
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket')
  await picker.getByRole('option', { name: '🚀 rocket' }).click()
  await expect(message(ann.page, 'ann: hello world').getByRole('button', { name: '🚀 1: bob' })).toBeVisible()
  await ann.page.screenshot({ path: `${ARTIFACTS}/messages-desktop.png` })

  // The quote jumps to the original and flashes it.
  await quote.click()
  await expect(message(ann.page, 'ann: hello world')).toHaveClass(/flash/)

  // Delete asks first; then everyone sees "message deleted", and the reply's quote says so.
  await say(ann.page, 'oops, wrong room')
  await expect(message(bob.page, 'ann: oops, wrong room')).toBeVisible()
  await act(ann.page, 'ann: oops, wrong room', 'Delete message')
  const confirm = ann.page.getByRole('alertdialog', { name: 'Delete message?' })
  await ann.page.screenshot({ path: `${ARTIFACTS}/messages-delete-confirm.png` })
  await confirm.getByRole('button', { name: 'Delete' }).click()
  for (const { page } of fixture.people) {
    await expect(message(page, 'ann: message deleted')).toBeVisible()
    await expect(message(page, 'ann: oops, wrong room')).toHaveCount(0)
  }
  // Only your own messages offer Edit and Delete.
  await message(bob.page, 'ann: hello world').hover()
  await expect(
    message(bob.page, 'ann: hello world').getByRole('button', { name: 'Edit message' })
  ).toHaveCount(0)

  // Someone who joins now sees the same state, from the server's history.
  const cy = await openPerson(browser, fixture.server.httpUrl, 'cy')
  fixture.people.push(cy)
  await signIn(cy)
  await expectConnected(cy)
  await expect(message(cy.page, 'ann: hello world')).toContainText('(edited)')
  await expect(message(cy.page, 'ann: message deleted')).toBeVisible()
  await expect(
    message(cy.page, 'ann: hello world').getByRole('button', { name: '🎉 2: bob and ann' })
  ).toBeVisible()
  await expect(
    message(cy.page, 'bob: hi ann').getByRole('button', { name: 'Reply to ann: hello world. Show it' })
  ).toBeVisible()

  // Formatting, an @mention picked from the suggestions, and a :shortcode:.
  const box = ann.page.getByRole('textbox', { name: 'Message' })
  await box.pressSequentially('@b')
  await ann.page
    .getByRole('listbox', { name: 'Mention someone' })
    .getByRole('option', { name: '@bob' })
    .click()
  await box.pressSequentially('look :tada: **this** and `code`')
  await box.press('Enter')
  const formatted = message(bob.page, 'ann: @bob look 🎉 **this** and `code`')
  await expect(formatted.locator('strong')).toHaveText('this')
  await expect(formatted.locator('code')).toHaveText('code')
  await expect(formatted.locator('.mention.me')).toHaveText('@bob')
  await say(ann.page, 'steps:\n- one\n- two\n```\nnpm run serve\n```\n> quoted')
  const blocks = message(bob.page, /^ann: steps:/)
  await expect(blocks.getByRole('listitem')).toHaveText(['one', 'two'])
  await expect(blocks.locator('pre')).toHaveText('npm run serve')
  await expect(blocks.locator('blockquote')).toHaveText('quoted')
  await bob.page.screenshot({ path: `${ARTIFACTS}/messages-formatting.png` })

  // Search: by word, across rooms; a result opens its room at the message.
  await cy.page.getByRole('textbox', { name: 'Room name' }).fill('elsewhere')
  await cy.page.getByRole('button', { name: 'Join room' }).click()
  await expect(cy.page.getByRole('heading', { level: 1, name: /#elsewhere/ })).toBeVisible()
  const searchBox = cy.page.getByRole('searchbox', { name: 'Search messages' })
  await searchBox.fill('hello')
  await searchBox.press('Enter')
  const found = cy.page.getByRole('complementary', { name: 'Search results' })
  await expect(found.getByRole('status')).toHaveText('1 found, newest first.')
  await cy.page.screenshot({ path: `${ARTIFACTS}/messages-search.png` })
  await found.getByRole('button', { name: 'ann in #general: hello world' }).click()
  await expect(cy.page.getByRole('heading', { level: 1, name: /#general/ })).toBeVisible()
  await expect(message(cy.page, 'ann: hello world')).toHaveClass(/flash/)
  await searchBox.fill('nosuchword')
  await searchBox.press('Enter')
  await expect(found.getByRole('status')).toContainText('Nothing found')
  await found.getByRole('button', { name: 'Close search' }).click()
  await expect(found).toHaveCount(0)

  // Phone width: the same conversation, still usable.
  await ann.page.setViewportSize({ width: 390, height: 844 })
  await ann.page.screenshot({ path: `${ARTIFACTS}/messages-phone.png` })
})
