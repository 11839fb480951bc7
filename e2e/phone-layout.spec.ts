/**
 * The web client on a phone (390×844, the screens that scan the host's QR code): the
 * conversation and composer fill the screen, Rooms and Members open drawers that Escape or a
 * tap outside closes, nothing scrolls sideways, and every control is at least 44 px to tap.
 * Also screenshots at 1920 wide and at 200 % zoom (1280×800 at twice the pixel ratio).
 */
import { expect, test, type Page } from '@playwright/test'
import { expectConnected, messages, say, signIn, type Person } from './helpers/chat-page'
import { ARTIFACTS, useChatServer } from './helpers/chat-server-fixture'

const fixture = useChatServer()

async function personAt(
  browser: import('@playwright/test').Browser,
  nick: string,
  viewport: { width: number; height: number },
  deviceScaleFactor = 1
): Promise<Person> {
  const context = await browser.newContext({ viewport, deviceScaleFactor, hasTouch: viewport.width < 700 })
  const page = await context.newPage()
  await page.goto(fixture.server.httpUrl)
  const person = { nick, context, page }
  fixture.people.push(person)
  await signIn(person)
  await expectConnected(person)
  return person
}

/** Visible controls smaller than 44 px either way, by accessible name, for the failure message. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small: string[] = []
    for (const el of document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href]')) {
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue
      if (box.right <= 0 || box.left >= innerWidth) continue // inside a closed drawer
      if (box.height < 44 || box.width < 44) {
        small.push(
          `${el.tagName.toLowerCase()} "${el.getAttribute('aria-label') ?? el.textContent?.trim()}" ${Math.round(box.width)}×${Math.round(box.height)}`
        )
      }
    }
    return small
  })
}

const noSidewaysScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

test('at 390×844 the conversation fills the screen and Rooms and Members are drawers', async ({
  browser
}) => {
  const other = await personAt(browser, 'bob', { width: 1280, height: 800 })
  await say(
    other.page,
    'hello from a laptop, with a long unbroken word: supercalifragilisticexpialidocious-and-more-and-more'
  )
  const { page } = await personAt(browser, 'ann', { width: 390, height: 844 })
  await expect(messages(page).getByRole('article', { name: /^bob: hello from a laptop/ })).toBeVisible()

  // The conversation and the composer are on screen; the side lists are not.
  const composer = page.getByRole('textbox', { name: 'Message' })
  await expect(composer).toBeInViewport()
  const log = await messages(page).boundingBox()
  expect(log!.width).toBeGreaterThanOrEqual(380)
  expect(log!.height).toBeGreaterThan(500)
  await expect(page.getByRole('navigation', { name: 'Rooms' })).not.toBeInViewport()
  await expect(page.getByRole('list', { name: 'Members' })).not.toBeInViewport()
  expect(await noSidewaysScroll(page)).toBe(true)
  expect(await smallTargets(page)).toEqual([])
  await page.screenshot({ path: `${ARTIFACTS}/phone-conversation.png` })

  // Rooms opens a drawer; Escape closes it.
  const roomsButton = page.getByRole('button', { name: 'Rooms', exact: true })
  await roomsButton.click()
  await expect(roomsButton).toHaveAttribute('aria-expanded', 'true')
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeInViewport()
  expect(await smallTargets(page)).toEqual([])
  await page.screenshot({ path: `${ARTIFACTS}/phone-rooms-drawer.png` })
  await page.keyboard.press('Escape')
  await expect(page.getByRole('navigation', { name: 'Rooms' })).not.toBeInViewport()

  // Members opens the other drawer; a tap outside it closes it.
  await page.getByRole('button', { name: 'Members', exact: true }).click()
  await expect(page.getByRole('list', { name: 'Members' })).toBeInViewport()
  await expect(page.getByRole('list', { name: 'Members' }).getByRole('button', { name: 'bob' })).toBeVisible()
  await page.screenshot({ path: `${ARTIFACTS}/phone-members-drawer.png` })
  await page.mouse.click(20, 400)
  await expect(page.getByRole('list', { name: 'Members' })).not.toBeInViewport()

  // Picking a room in the drawer opens it and closes the drawer.
  await roomsButton.click()
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('textbox', { name: 'Room name' })
    .fill('phones')
  await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByRole('heading', { level: 1, name: /#phones/ })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Rooms' })).not.toBeInViewport()
  await say(page, 'typed on a phone')
  await expect(messages(page).getByRole('article', { name: 'ann: typed on a phone' })).toBeVisible()
  expect(await noSidewaysScroll(page)).toBe(true)
})

test('a 1920 wide screen and 200 % zoom', async ({ browser }) => {
  const wide = await personAt(browser, 'wide', { width: 1920, height: 1080 })
  await say(wide.page, 'on a big screen')
  await expect(wide.page.getByRole('list', { name: 'Members' })).toBeInViewport()
  await expect(wide.page.getByRole('button', { name: 'Rooms', exact: true })).toBeHidden()
  expect(await noSidewaysScroll(wide.page)).toBe(true)
  await wide.page.screenshot({ path: `${ARTIFACTS}/wide-1920.png` })
  // 200 % zoom of a 1280×800 window is a 640×400 CSS-pixel viewport at twice the pixel ratio.
  const zoomed = await personAt(browser, 'zoomed', { width: 640, height: 400 }, 2)
  await expect(zoomed.page.getByRole('textbox', { name: 'Message' })).toBeInViewport()
  expect(await noSidewaysScroll(zoomed.page)).toBe(true)
  await zoomed.page.screenshot({ path: `${ARTIFACTS}/zoom-200.png` })
})
