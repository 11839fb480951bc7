import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test'

/** One person in their own browser context, driving the web client by its accessible names. */
export interface Person {
  nick: string
  context: BrowserContext
  page: Page
}

export async function openPerson(browser: Browser, url: string, nick: string): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  await page.goto(url)
  return { nick, context, page }
}

export async function signIn(
  person: Person,
  options: { address?: string; password?: string } = {}
): Promise<void> {
  const { page } = person
  if (options.address !== undefined)
    await page.getByRole('textbox', { name: 'Server address' }).fill(options.address)
  await page.getByRole('textbox', { name: 'Nickname' }).fill(person.nick)
  if (options.password !== undefined) await page.getByLabel('Password').fill(options.password)
  await page.getByRole('button', { name: 'Connect' }).click()
}

export async function expectConnected(person: Person): Promise<void> {
  await expect(person.page.getByRole('status', { name: 'Connection status' })).toHaveText('Connected', {
    timeout: 15_000
  })
}

export const rooms = (page: Page) => page.getByRole('navigation', { name: 'Rooms' })
export const messages = (page: Page) => page.getByRole('log', { name: 'Messages' })
export const members = (page: Page) => page.getByRole('list', { name: 'Members' })
export const inspector = (page: Page) => page.getByRole('region', { name: 'Connection inspector' })

export async function joinRoom(page: Page, room: string): Promise<void> {
  await rooms(page).getByRole('textbox', { name: 'Room name' }).fill(room)
  await rooms(page).getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(`#${room}`) })).toBeVisible()
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await rooms(page)
    .getByRole('button', { name: new RegExp(`^[#@]?\\s*${name}\\b`) })
    .click()
}

export async function say(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text)
  await page.getByRole('textbox', { name: 'Message' }).press('Enter')
}

/** The texts of the chat messages currently rendered in the log, in order. */
export async function messageTexts(page: Page): Promise<string[]> {
  return messages(page).locator('article.message:not(.pending) .message-text .text').allInnerTexts()
}

export async function closeAll(people: Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.context.close()))
}
