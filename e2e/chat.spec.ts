import { mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import {
  closeAll,
  expectConnected,
  inspector,
  joinRoom,
  members,
  messageTexts,
  messages,
  openChannel,
  openPerson,
  rooms,
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

// Runs against `out/`: `npm test` builds before the end-to-end stage (`npx electron-vite build` by hand).
const ARTIFACTS = 'e2e-artifacts'

test.describe.configure({ mode: 'serial' })
// The people's browser contexts live across these serial tests; per-test traces of shared
// contexts would be cut at arbitrary points, so screenshots are the artifacts here.
test.use({ trace: 'off' })

let server: ParleyServer
let dataDir: string
let people: Person[] = []

function pages(): [Page, Page, Page] {
  const [a, b, c] = people
  if (!a || !b || !c) throw new Error('the first test opens three people')
  return [a.page, b.page, c.page]
}

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

test('three people join rooms, chat and DM; members and unread counts follow', async ({ browser }) => {
  people = await Promise.all(
    ['alice', 'bob', 'carol'].map((nick) => openPerson(browser, server.httpUrl, nick))
  )
  const [a, b, c] = pages()
  // Served by the server itself: the address is prefilled with the page's own host.
  await expect(a.getByRole('textbox', { name: 'Server address' })).toHaveValue(server.address)
  for (const person of people) {
    await signIn(person)
    await expectConnected(person)
  }

  await expect(members(a).getByRole('listitem')).toHaveCount(3)
  await expect(members(c)).toContainText('alice')

  await say(a, 'hello everyone')
  await expect(messages(b).getByText('hello everyone')).toBeVisible()
  await expect(messages(c).getByText('hello everyone')).toBeVisible()
  await expect(messages(a).getByLabel('Delivered')).toHaveCount(1)

  // Links are links (http and https only) and a mention of me stands out.
  await say(b, '@alice the spec is at https://example.com/spec.')
  const link = messages(a).getByRole('link', { name: 'https://example.com/spec' })
  await expect(link).toHaveAttribute('href', 'https://example.com/spec')
  await expect(messages(a).locator('article.mentions-me')).toHaveCount(1)
  await expect(messages(c).locator('article.mentions-me')).toHaveCount(0)

  // bob and carol make a room; alice, still in #general, sees its unread count rise.
  await joinRoom(b, 'design')
  await joinRoom(c, 'design')
  await expect(members(b).getByRole('listitem')).toHaveCount(2)
  await joinRoom(a, 'design')
  await expect(members(c).getByRole('listitem')).toHaveCount(3)
  await openChannel(a, 'general')
  await say(b, 'mockups are up')
  await say(c, 'looking now')
  await expect(
    rooms(a)
      .getByRole('button', { name: /design/ })
      .getByLabel('2 unread')
  ).toBeVisible()
  // Keyboard: Ctrl+Shift+I toggles the inspector, Escape closes it.
  await a.keyboard.press('Control+Shift+I')
  await expect(inspector(a)).toBeVisible()
  await a.keyboard.press('Escape')
  await expect(inspector(a)).toHaveCount(0)

  await openChannel(a, 'design')
  await expect(messages(a).getByText('looking now')).toBeVisible()
  await expect(messages(a).getByRole('separator', { name: 'New messages' })).toBeVisible()
  await a.screenshot({ path: `${ARTIFACTS}/new-messages.png` })
  await expect(rooms(a).getByLabel(/unread/)).toHaveCount(0)
  await expect(a).toHaveTitle('#design · Parley')

  // carol leaves #design: the others' member lists shrink and a system line says so.
  await c.getByRole('button', { name: 'Leave design' }).click({ force: true })
  await expect(members(b).getByRole('listitem')).toHaveCount(2)
  await expect(messages(b).getByText('carol left #design')).toBeVisible()

  // A DM from the member list, and the reply appears under Direct messages with a count.
  await members(a).getByRole('button', { name: 'bob' }).click()
  await expect(a.getByRole('heading', { level: 1, name: '@bob' })).toBeVisible()
  await say(a, 'psst, bob')
  await expect(rooms(b).getByRole('button', { name: /alice/ }).getByLabel('1 unread')).toBeVisible()
  await openChannel(b, 'alice')
  await expect(messages(b).getByText('psst, bob')).toBeVisible()
  await say(b, 'hi alice')
  await expect(messages(a).getByText('hi alice')).toBeVisible()
  await expect(messages(c).getByText('psst, bob')).toHaveCount(0)

  // Keyboard: Ctrl+Shift+I toggles the inspector, Escape closes it.
  await a.keyboard.press('Control+Shift+I')
  await expect(inspector(a)).toBeVisible()
  await a.keyboard.press('Escape')
  await expect(inspector(a)).toHaveCount(0)

  await openChannel(a, 'design')
  await expect(messages(a).getByText('looking now')).toBeVisible()
  await a.screenshot({ path: `${ARTIFACTS}/main-screen.png` })
})

test('server killed: every inspector shows 1006 and Reconnecting; restarted: nothing missing or doubled', async () => {
  const [a, b, c] = pages()
  for (const page of [a, b, c]) await openChannel(page, 'general')
  const sent = ['before 1 from alice', 'before 2 from bob', 'before 3 from carol']
  await say(a, sent[0]!)
  await say(b, sent[1]!)
  await say(c, sent[2]!)
  for (const page of [a, b, c]) {
    for (const text of sent) await expect(messages(page).getByText(text)).toBeVisible()
    await expect(page.locator('.message.pending')).toHaveCount(0)
  }

  await stopServer(server, 'SIGKILL')
  for (const page of [a, b, c]) {
    await page.getByRole('button', { name: 'Inspector' }).click()
    await expect(inspector(page).getByRole('cell', { name: '1006' }).first()).toBeVisible()
    await expect(inspector(page)).toContainText('Abnormal Closure')
    await expect(page.getByRole('status', { name: 'Connection status' })).toContainText('Reconnecting')
  }
  await a.screenshot({ path: `${ARTIFACTS}/inspector-1006.png` })

  // Typed while the server is down: shown as pending, sent after the reconnect.
  await say(a, 'typed while down')
  await expect(a.locator('.message.pending')).toContainText('typed while down')

  server = await startServer({ dataDir, port: server.port })
  for (const person of people) await expectConnected(person)
  await say(b, 'after restart from bob')

  const expected = [...sent, 'typed while down', 'after restart from bob']
  for (const page of [a, b, c]) {
    for (const text of expected) await expect(messages(page).getByText(text, { exact: true })).toHaveCount(1)
    const texts = await messageTexts(page)
    for (const text of expected) expect(texts.filter((t) => t === text)).toHaveLength(1)
  }
  await expect(a.locator('.message.pending')).toHaveCount(0)
})

test('a graceful stop shows 1001 Going Away', async () => {
  const page = people[0]!.page
  await stopServer(server, 'SIGTERM')
  await expect(inspector(page).getByRole('cell', { name: '1001' }).first()).toBeVisible()
  await expect(inspector(page)).toContainText('Going Away')
  await expect(page.getByRole('status', { name: 'Connection status' })).toContainText('Reconnecting')
  await page.screenshot({ path: `${ARTIFACTS}/inspector-1001.png` })
  server = await startServer({ dataDir, port: server.port })
  await expectConnected(people[0]!)

  // The frame log and the dark theme, for the artifacts.
  await inspector(page).getByRole('tab', { name: 'Frames' }).click()
  await expect(
    inspector(page)
      .getByRole('button', { name: /welcome/ })
      .first()
  ).toBeVisible()
  await inspector(page)
    .getByRole('button', { name: /welcome/ })
    .first()
    .click()
  await page.screenshot({ path: `${ARTIFACTS}/inspector-frames.png` })
  await page.emulateMedia({ colorScheme: 'dark' })
  await inspector(page).getByRole('tab', { name: 'Tools' }).click()
  await inspector(page).getByRole('textbox', { name: 'Close code' }).fill('1006')
  await inspector(page).getByRole('button', { name: 'Close connection' }).click()
  await expect(inspector(page).getByRole('alert')).toContainText('InvalidAccessError')
  await page.screenshot({ path: `${ARTIFACTS}/inspector-tools-dark.png` })
  await page.emulateMedia({ colorScheme: 'light' })
  await inspector(page).getByRole('tab', { name: 'Overview' }).click()
})

test('forty lines sent as fast as keys go are paced under the rate limit: all arrive, no 4429', async () => {
  const [, b, c] = pages()
  await openChannel(b, 'general')
  await openChannel(c, 'general')
  const lines = Array.from({ length: 40 }, (_, i) => `quick ${i + 1}`)
  await b.getByRole('textbox', { name: 'Message' }).click()
  await b.keyboard.type(lines.map((line) => `${line}\n`).join(''))
  await expect(messages(c).getByText('quick 40', { exact: true })).toBeVisible({ timeout: 15_000 })
  const texts = (await messageTexts(c)).filter((t) => t.startsWith('quick '))
  expect(texts.slice(-lines.length)).toEqual(lines.slice(-texts.length))
  await expect(b.locator('.message.pending')).toHaveCount(0)
  await expect(b.getByRole('status', { name: 'Connection status' })).toHaveText('Connected')
  if ((await inspector(b).count()) === 0)
    await b.getByRole('button', { name: 'Inspector', exact: true }).click()
  await expect(inspector(b).getByRole('cell', { name: '1001' }).first()).toBeVisible()
  await expect(inspector(b).getByRole('cell', { name: '4429' })).toHaveCount(0)
})

test('a reload takes the same session back: same user, same rooms', async () => {
  const [a, , c] = pages()
  await joinRoom(c, 'lounge')
  await c.reload()
  // Straight back in: no sign-in form, the stored session is resumed.
  await expectConnected(people[2]!)
  await c.getByRole('button', { name: 'Inspector', exact: true }).click()
  await expect(inspector(c)).toContainText('Welcome: session resumed.')
  await c.keyboard.press('Escape')
  // Rooms come back without joining them again, and the others still see one carol.
  await expect(rooms(c).getByRole('button', { name: /lounge/ })).toBeVisible()
  await openChannel(a, 'general')
  await a.keyboard.press('Escape') // the inspector, open since the kill, hides Members at this width
  await expect(members(a).getByRole('button', { name: 'carol' })).toHaveCount(1)
  await openChannel(c, 'general')
  await say(c, 'back after reload')
  await expect(messages(a).getByText('back after reload')).toBeVisible()
})

test('a nickname in use is explained as 4409', async ({ browser }) => {
  const impostor = await openPerson(browser, server.httpUrl, 'alice')
  try {
    await signIn(impostor)
    await expect(impostor.page.getByRole('alert')).toContainText('Nickname taken')
    await expect(impostor.page.getByRole('alert')).toContainText('4409')
    await expectConnected(people[0]!)
  } finally {
    await impostor.context.close()
  }
})

test('a wrong password is explained as 4401', async ({ browser }) => {
  const guarded = await startServer({ password: 'open sesame' })
  const person = await openPerson(browser, guarded.httpUrl, 'mallory')
  try {
    await signIn(person, { password: 'guess' })
    const alert = person.page.getByRole('alert')
    await expect(alert).toContainText('Wrong password')
    await expect(alert).toContainText('4401')
    // The inspector is there on the sign-in screen too, with the close row.
    await person.page.getByRole('button', { name: 'Inspector' }).click()
    await expect(inspector(person.page).getByRole('cell', { name: '4401' })).toBeVisible()
    await expect(inspector(person.page)).toContainText('Unauthorized')
    await person.page.screenshot({ path: `${ARTIFACTS}/wrong-password-inspector.png` })
    await person.page.screenshot({ path: `${ARTIFACTS}/wrong-password.png` })
    await person.page.keyboard.press('Escape')
    await signIn(person, { password: 'open sesame' })
    await expectConnected(person)
  } finally {
    await person.context.close()
    await stopServer(guarded, 'SIGKILL')
    removeDataDir(guarded.dataDir)
  }
})

test('an empty room hit by a burst follows it to the newest message', async ({ browser }) => {
  // Regression: a room that was empty when a burst began could stay on the first rows while every
  // message arrived. The burst comes through the admin HTTP API, paced like a busy room (about
  // 1,000 msg/s), bounded in count and sent only to this loopback server.
  const token = 'chat-spec-admin-token'
  const busy = await startServer({ extraArgs: ['--admin-token', token] })
  const person = await openPerson(browser, busy.httpUrl, 'reader')
  const total = 1000
  try {
    await signIn(person)
    await expectConnected(person)
    await joinRoom(person.page, 'busy')
    const post = (seq: number) =>
      fetch(new URL('api/rooms/busy/messages', busy.httpUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `busy ${seq}` })
      }).then((res) => {
        if (res.status !== 201) throw new Error(`admin post answered ${res.status}`)
        return res.arrayBuffer()
      })
    // A slow machine's pace (Chromium's CPU throttling): the first render then takes dozens of
    // rows at once, the case that lost the bottom.
    const cdp = await person.context.newCDPSession(person.page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 })
    // The first rows land together (as when the burst is already under way when the room's
    // history arrives), then the rest at about 1,000 msg/s.
    const first = 100
    await Promise.all(Array.from({ length: first }, (_, i) => post(i + 1)))
    for (let seq = first + 1; seq <= total; seq += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => post(seq + i)))
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await expect(messages(person.page).getByText(`busy ${total}`, { exact: true })).toBeVisible({
      timeout: 10_000
    })
    const scroller = messages(person.page).locator('[data-virtuoso-scroller]')
    // Pinned to the newest row, not merely rendered somewhere in the virtualized list.
    const gap = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)
    await expect.poll(gap, { timeout: 3000 }).toBeLessThan(80)
  } finally {
    await person.context.close()
    await stopServer(busy, 'SIGKILL')
    removeDataDir(busy.dataDir)
  }
})
