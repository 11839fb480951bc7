import { mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import {
  closeAll,
  expectConnected,
  joinRoom,
  messages,
  messageTexts,
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

// Issue 20 against the real CLI server: focus, right-to-left text, a room list that follows the
// server, and a message typed during a long outage that goes out by itself afterwards.
const ARTIFACTS = 'e2e-artifacts'
const OUTAGE_MS = 60_000

test.describe.configure({ mode: 'serial' })

let server: ParleyServer
let dataDir: string
let people: Person[] = []

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' })
const moreRooms = (page: Page) => rooms(page).getByRole('list', { name: 'More rooms' })

async function person(browser: Parameters<typeof openPerson>[0], nick: string): Promise<Person> {
  const p = await openPerson(browser, server.httpUrl, nick)
  people.push(p)
  await signIn(p)
  await expectConnected(p)
  return p
}

test.beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  dataDir = makeDataDir()
  server = await startServer({ dataDir })
})

test.afterAll(async () => {
  await closeAll(people)
  people = []
  if (server) await stopServer(server, 'SIGKILL')
  removeDataDir(dataDir)
})

test('the message box has focus after connecting and after every room switch', async ({ browser }) => {
  const alice = await person(browser, 'alice')
  const page = alice.page
  await expect(composer(page)).toBeFocused()

  await joinRoom(page, 'dev')
  await expect(composer(page)).toBeFocused()
  await openChannel(page, 'general')
  await expect(page.getByRole('heading', { level: 1, name: /#general/ })).toBeVisible()
  await expect(composer(page)).toBeFocused()
  // Typing goes straight into the room just opened, with no click in between.
  await page.keyboard.type('typed right after switching')
  await page.keyboard.press('Enter')
  await expect(messages(page).getByText('typed right after switching')).toBeVisible()
})

test('a right-to-left message is laid out right to left and aligned right; a left-to-right one is not', async ({
  browser
}) => {
  const [alice] = people
  if (!alice) throw new Error('the first test signs alice in')
  const bob = await person(browser, 'דני')
  const rtl = 'שלום לכולם, מה נשמע היום?'
  await say(bob.page, rtl)
  await say(bob.page, 'plain English line')
  for (const page of [alice.page, bob.page]) {
    const rtlRow = messages(page).locator('article.message', { hasText: rtl })
    const ltrRow = messages(page).locator('article.message', { hasText: 'plain English line' })
    await expect(rtlRow).toHaveCount(1)
    const layout = async (row: typeof rtlRow) =>
      row.locator('.message-text').evaluate((block) => {
        const text = block.querySelector('.text') as HTMLElement
        const box = block.getBoundingClientRect()
        const span = text.getBoundingClientRect()
        return {
          direction: getComputedStyle(block).direction,
          gapLeft: span.left - box.left,
          gapRight: box.right - span.right
        }
      })
    const r = await layout(rtlRow)
    expect(r.direction).toBe('rtl')
    // Right-aligned: the text hugs the right edge of its line, with the free space on the left.
    expect(r.gapRight).toBeLessThan(30)
    expect(r.gapLeft).toBeGreaterThan(200)
    const l = await layout(ltrRow)
    expect(l.direction).toBe('ltr')
    expect(l.gapLeft).toBeLessThan(2)
    // The nick is isolated too, so the header does not reorder around it.
    await expect(rtlRow.locator('bdi.author')).toHaveText('דני')
  }
  await expect(alice.page.locator('ul[aria-label="Members"] bdi', { hasText: 'דני' })).toHaveCount(1)

  await alice.page.screenshot({ path: `${ARTIFACTS}/rtl-message-1280x800.png` })
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const phonePage = await phone.newPage()
  people.push({ nick: 'phone', context: phone, page: phonePage })
  await phonePage.goto(server.httpUrl)
  await signIn({ nick: 'carol', context: phone, page: phonePage })
  await expectConnected({ nick: 'carol', context: phone, page: phonePage })
  await expect(messages(phonePage).getByText(rtl)).toBeVisible()
  const phoneRow = messages(phonePage).locator('article.message', { hasText: rtl }).locator('.message-text')
  await expect(phoneRow).toHaveCSS('direction', 'rtl')
  await phonePage.screenshot({ path: `${ARTIFACTS}/rtl-message-390x844.png` })
})

test('More rooms shows a room created after connecting when opened, and keeps up while open', async () => {
  const [alice, bob] = people
  if (!alice || !bob) throw new Error('the earlier tests sign alice and bob in')
  // Created by bob after alice connected; nothing about it reaches alice's rooms.
  await joinRoom(bob.page, 'lately')
  await rooms(alice.page).getByRole('button', { name: 'More rooms' }).click()
  await expect(moreRooms(alice.page).getByRole('button', { name: /lately/ })).toBeVisible()

  // With the list left open, a room created now appears without touching anything.
  await joinRoom(bob.page, 'later-still')
  await expect(moreRooms(alice.page).getByRole('button', { name: /later-still/ })).toBeVisible({
    timeout: 20_000
  })
  await alice.page.screenshot({ path: `${ARTIFACTS}/more-rooms-1280x800.png` })
  await moreRooms(alice.page)
    .getByRole('button', { name: /lately/ })
    .click()
  await expect(alice.page.getByRole('heading', { level: 1, name: /#lately/ })).toBeVisible()
  await expect(composer(alice.page)).toBeFocused()
})

test('a message typed during a 60 s outage is delivered once after the restart, never shown as Not delivered', async ({
  browser
}) => {
  test.setTimeout(OUTAGE_MS + 120_000)
  const [alice] = people
  if (!alice) throw new Error('the first test signs alice in')
  const page = alice.page
  await openChannel(page, 'general')
  await stopServer(server, 'SIGTERM')
  await expect(page.getByRole('status', { name: 'Connection status' })).toContainText('Reconnecting')

  const text = 'typed while the server was down for a minute'
  await say(page, text)
  await expect(page.locator('.message.pending', { hasText: text })).toContainText('Pending')

  // Poll the page through the whole outage and the reconnect: the failed state must never show.
  const failedSeen: string[] = []
  let polls = 0
  const watch = async (untilMs: number) => {
    while (Date.now() < untilMs) {
      polls += 1
      const failed = await page.locator('.message.failed').count()
      const notDelivered = await page.getByText('Not delivered').count()
      if (failed || notDelivered) failedSeen.push(new Date().toISOString())
      await page.waitForTimeout(250)
    }
  }
  await watch(Date.now() + OUTAGE_MS)
  expect(failedSeen).toEqual([])
  expect(polls).toBeGreaterThan(100)

  server = await startServer({ dataDir, port: server.port })
  const deliveredBy = Date.now() + 60_000
  while (Date.now() < deliveredBy && (await page.locator('.message.pending').count()) > 0) {
    await watch(Date.now() + 500)
  }
  expect(failedSeen).toEqual([])
  await expectConnected(alice)
  await expect(page.locator('.message.pending')).toHaveCount(0)
  const copies = async (p: Page) => (await messageTexts(p)).filter((t) => t === text).length
  // Polled: the virtual list may still be measuring the rows it just rendered.
  await expect.poll(() => copies(page)).toBe(1)

  // Someone arriving afresh reads the server's copy: stored exactly once.
  const later = await openPerson(browser, server.httpUrl, 'erin')
  people.push(later)
  await signIn(later)
  await expectConnected(later)
  await expect(messages(later.page).getByText(text, { exact: true })).toHaveCount(1)
  await expect.poll(() => copies(later.page)).toBe(1)
})
