import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { freePort } from '../test-support/free-port'
import { selfSignedCertificate, startNginx } from '../test-support/reverse-proxy/nginx'
import type { RunningProxy } from '../test-support/reverse-proxy/proxy-process'
import {
  closeAll,
  expectConnected,
  messageTexts,
  openPerson,
  say,
  signIn,
  type Person
} from './helpers/chat-page'
import { startServer, stopServer, type ParleyServer } from './helpers/parley-server'

// The web client as people on the internet get it: https://chat.test through nginx (the
// documented docs/deploy/nginx.conf) to the real built server started with --trust-proxy.
// Runs against `out/` (`npm test` builds first). Chromium resolves chat.test to loopback and
// accepts the test's self-signed certificate.
const NAME = 'chat.test'
const ARTIFACTS = 'e2e-artifacts'
const systemChromium =
  process.env.PARLEY_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

test.describe.configure({ mode: 'serial' })
test.use({
  ignoreHTTPSErrors: true,
  launchOptions: {
    executablePath: systemChromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--host-resolver-rules=MAP ${NAME} 127.0.0.1`
    ]
  }
})

let dir: string
let proxy: RunningProxy
let server: ParleyServer
let people: Person[] = []

test.beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  dir = mkdtempSync(join(tmpdir(), 'parley-e2e-proxy-'))
  const upstreamPort = await freePort()
  server = await startServer({ port: upstreamPort, extraArgs: ['--trust-proxy', '127.0.0.1'] })
  const { certFile, keyFile } = selfSignedCertificate(dir, NAME)
  proxy = await startNginx(dir, {
    serverName: NAME,
    listenPort: await freePort(),
    upstreamPort,
    certFile,
    keyFile
  })
})

test.afterAll(async () => {
  await closeAll(people)
  await proxy?.stop()
  if (server) await stopServer(server)
  rmSync(dir, { recursive: true, force: true })
  if (server) rmSync(server.dataDir, { recursive: true, force: true })
})

test('two people chat through nginx over https and wss', async ({ browser }) => {
  const site = `https://${NAME}:${proxy.port}/`
  people = await Promise.all(['ann', 'bob'].map((nick) => openPerson(browser, site, nick)))
  const [ann, bob] = people as [Person, Person]
  // The page was served over https, so the address it offers is the wss one on the proxy.
  await expect(ann.page.getByRole('textbox', { name: 'Server address' })).toHaveValue(
    `wss://${NAME}:${proxy.port}`
  )
  await ann.page.screenshot({ path: `${ARTIFACTS}/behind-proxy-connect.png` })
  await signIn(ann)
  await signIn(bob)
  await expectConnected(ann)
  await expectConnected(bob)
  await say(ann.page, 'hello from behind the proxy')
  await expect.poll(() => messageTexts(bob.page)).toContain('hello from behind the proxy')
  await bob.page.screenshot({ path: `${ARTIFACTS}/behind-proxy-desktop.png` })
  // The same page at phone width, from a fresh context opened at that size.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const carol: Person = { nick: 'carol', context: phone, page: await phone.newPage() }
  people.push(carol)
  await carol.page.goto(site)
  await expect(carol.page.getByRole('textbox', { name: 'Server address' })).toHaveValue(
    `wss://${NAME}:${proxy.port}`
  )
  await carol.page.screenshot({ path: `${ARTIFACTS}/behind-proxy-connect-phone.png` })
  await signIn(carol)
  await expectConnected(carol)
  await expect.poll(() => messageTexts(carol.page)).toContain('hello from behind the proxy')
  await carol.page.screenshot({ path: `${ARTIFACTS}/behind-proxy-phone.png` })
})
