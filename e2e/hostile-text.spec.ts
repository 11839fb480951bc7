import { expect, test } from '@playwright/test'
import { expectConnected, inspector, messages, openPerson, signIn } from './helpers/chat-page'
import { ARTIFACTS, useChatServer } from './helpers/chat-server-fixture'

// Issue 19: a right-to-left override made "gnp.exe" read "exe.png" (point 11), and a user could
// take the server's name as a nick and post what looked like a server announcement (point 5).
const ADMIN_TOKEN = 'hostile-text-admin-token'

const fixture = useChatServer({ extraArgs: ['--admin-token', ADMIN_TOKEN], stopSignal: 'SIGKILL' })

/** A user who is not a browser: sends one message into general and leaves. */
async function postAsUser(nick: string, text: string): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${fixture.server.port}/ws`, 'parley.v1')
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true })
    ws.addEventListener('error', reject, { once: true })
  })
  ws.send(JSON.stringify({ type: 'hello', nick }))
  const acked = new Promise<void>((resolve) =>
    ws.addEventListener('message', (event) => {
      if (String(event.data).includes('"cid":"c1"')) resolve()
    })
  )
  ws.send(JSON.stringify({ type: 'send', room: 'general', text, cid: 'c1' }))
  await acked
  ws.close()
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 }
]) {
  test(`shows reordering characters as code points and marks the server's own messages (${viewport.name})`, async ({
    browser
  }) => {
    const person = await openPerson(browser, fixture.server.httpUrl, `ann-${viewport.name}`)
    fixture.people.push(person)
    const { page } = person
    await page.setViewportSize(viewport)
    await signIn(person)
    await expectConnected(person)

    const invoice = `invoice_${viewport.name}_`
    await postAsUser(`mallory-${viewport.name}`, `${invoice}\u202Egnp.exe`)
    const spoof = messages(page).locator('article.message', { hasText: invoice })
    await expect(spoof.locator('.hidden-char')).toHaveText('U+202E')
    // The override never reaches the page, so nothing after it is reordered.
    const text = await spoof.locator('.text').textContent()
    expect(text).toBe(`${invoice}U+202Egnp.exe`)
    await expect(spoof.locator('.message-text')).toHaveAttribute('dir', 'auto')

    const response = await fetch(`${fixture.server.httpUrl}api/rooms/general/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: `Maintenance at 17:00 (${viewport.name})` })
    })
    expect(response.status).toBe(201)
    const announcement = messages(page).locator('article.message', {
      hasText: `Maintenance at 17:00 (${viewport.name})`
    })
    await expect(announcement.locator('.server-badge')).toHaveText('server')
    await expect(announcement).toHaveClass(/from-server/)
    // A user's message is never marked so, whatever its nick.
    await expect(spoof.locator('.server-badge')).toHaveCount(0)
    await expect(spoof).not.toHaveClass(/from-server/)
    await page.screenshot({ path: `${ARTIFACTS}/hostile-text-${viewport.name}.png` })

    if (viewport.name === 'desktop') {
      await page.keyboard.press('Control+Shift+I')
      await inspector(page).getByRole('tab', { name: 'Frames' }).click()
      await inspector(page).getByPlaceholder('Filter by type or text').fill('invoice_desktop_')
      await inspector(page)
        .getByRole('button', { name: /message/ })
        .first()
        .click()
      await expect(inspector(page).locator('pre.frame-body')).toContainText('invoice_desktop_\\u202egnp.exe')
      await page.screenshot({ path: `${ARTIFACTS}/hostile-text-inspector.png` })
    }
  })
}
