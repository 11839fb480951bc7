import { mkdirSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import WebSocket from 'ws'
import { closeAll, expectConnected, members, openPerson, signIn, type Person } from './helpers/chat-page'
import {
  makeDataDir,
  removeDataDir,
  startServer,
  stopServer,
  type ParleyServer
} from './helpers/parley-server'

// A room larger than one page of members (`membersPageMax`, 200): `joined` lists the first page
// and the rest is paged in on request. The crowd is real WebSocket clients from Node.
const CROWD = 210
const ARTIFACTS = 'e2e-artifacts'

let server: ParleyServer
let dataDir: string
let crowd: WebSocket[] = []
let people: Person[] = []

function crowdMember(i: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, ['parley.v1'])
    ws.once('error', reject)
    ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', nick: `guest${i}` })))
    ws.on('message', (data: Buffer) => {
      if (data.toString().includes('"type":"joined"')) resolve(ws)
    })
  })
}

test.beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  dataDir = makeDataDir()
  server = await startServer({ dataDir, extraArgs: ['--max-per-ip', '400'] })
  for (let i = 0; i < CROWD; i += 30)
    crowd.push(
      ...(await Promise.all(Array.from({ length: Math.min(30, CROWD - i) }, (_, k) => crowdMember(i + k))))
    )
})

test.afterAll(async () => {
  await closeAll(people)
  for (const ws of crowd) ws.terminate()
  crowd = []
  if (server) await stopServer(server, 'SIGKILL')
  removeDataDir(dataDir)
})

test('a room larger than one page shows its full count and pages the rest of its members in', async ({
  browser
}) => {
  const dana = await openPerson(browser, server.httpUrl, 'dana')
  people = [dana]
  await signIn(dana)
  await expectConnected(dana)
  const { page } = dana
  const heading = page.getByRole('heading', { name: /^Members/ })
  await expect(heading).toHaveText(`Members ${CROWD + 1}`)
  // The first page (200) and, past it, dana herself.
  await expect(members(page).getByRole('listitem')).toHaveCount(201)
  await expect(members(page).getByText('dana (you)')).toBeVisible()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#general · ${CROWD + 1} here`)
  const more = page.getByRole('button', { name: `Show more members (${CROWD - 200} not listed)` })
  await page.screenshot({ path: `${ARTIFACTS}/members-first-page.png` })
  await more.click()
  await expect(members(page).getByRole('listitem')).toHaveCount(CROWD + 1)
  await expect(more).toHaveCount(0)
  await expect(members(page).getByRole('button', { name: 'guest209' })).toBeVisible()

  // Five of the crowd drop: presence takes them off the list and the count follows.
  for (const ws of crowd.splice(0, 5)) ws.terminate()
  await expect(heading).toHaveText(`Members ${CROWD + 1 - 5}`)
  await expect(members(page).getByRole('listitem')).toHaveCount(CROWD + 1 - 5)
  await expect(members(page).getByRole('button', { name: 'guest0', exact: true })).toHaveCount(0)
  await page.screenshot({ path: `${ARTIFACTS}/members-paged.png` })
})
