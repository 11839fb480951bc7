/**
 * The web client over https:// from the same TLS server (the built CLI with --tls): the page
 * loads, offers wss:// to its own server, and chats. Chromium is told to accept the self-signed
 * certificate (a person would compare the fingerprint the server printed).
 */
import { expect, test } from '@playwright/test'
import { removeDataDir, startServer, stopServer, type ParleyServer } from './helpers/parley-server'

let server: ParleyServer

test.beforeAll(async () => {
  server = await startServer({ extraArgs: ['--tls'] })
})
test.afterAll(async () => {
  await stopServer(server)
  removeDataDir(server.dataDir)
})

test('the web client loads over https:// and chats over wss:// on the same port', async ({ browser }) => {
  expect(server.httpUrl).toMatch(/^https:\/\//)
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 }
  })
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(server.httpUrl)
    const address = page.getByRole('textbox', { name: 'Server address' })
    await expect(address).toHaveValue(`wss://127.0.0.1:${server.port}`)
    await page.getByRole('textbox', { name: 'Nickname' }).fill('secure-ada')
    await page.getByRole('button', { name: 'Connect' }).click()
    await page.getByRole('textbox', { name: 'Message' }).fill('hello over TLS')
    await page.getByRole('button', { name: 'Send' }).click()
    await expect(page.getByText('hello over TLS')).toBeVisible()
    expect(errors).toEqual([])
  } finally {
    await context.close()
  }
})
