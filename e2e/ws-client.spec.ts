import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { expect, test, type Page } from '@playwright/test'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import {
  makeDataDir,
  removeDataDir,
  startServer,
  stopServer,
  type ParleyServer
} from './helpers/parley-server'

// The WebSocket client against a server that is not Parley: a plain `ws` echo server written
// here, which records what the browser offered and how it closed. Runs against `out/` (build first).
const ARTIFACTS = 'e2e-artifacts'

interface Foreign {
  url: string
  offered: string[][]
  closes: { code: number; reason: string }[]
  peers: ServerSocket[]
  wss: WebSocketServer
}

let parley: ParleyServer
let dataDir: string
let foreign: Foreign

async function startForeign(): Promise<Foreign> {
  const offered: string[][] = []
  const closes: { code: number; reason: string }[] = []
  const peers: ServerSocket[] = []
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => {
      offered.push([...protocols])
      return protocols.has('echo.v2') ? 'echo.v2' : false
    }
  })
  wss.on('connection', (ws) => {
    peers.push(ws)
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
    ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }))
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/echo`, offered, closes, peers, wss }
}

test.beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  dataDir = makeDataDir()
  parley = await startServer({ dataDir })
  foreign = await startForeign()
})

test.afterAll(async () => {
  for (const peer of foreign?.peers ?? []) peer.terminate()
  await new Promise<void>((resolve) => (foreign ? foreign.wss.close(() => resolve()) : resolve()))
  if (parley) await stopServer(parley, 'SIGKILL')
  removeDataDir(dataDir)
})

const frames = (page: Page) => page.getByRole('log', { name: 'Frames' })

async function openClient(page: Page): Promise<void> {
  await page.goto(parley.httpUrl)
  await page.getByRole('button', { name: 'WebSocket client' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'WebSocket client' })).toBeVisible()
}

async function sendFrame(page: Page, mode: 'Text' | 'Binary (hex)', body: string): Promise<void> {
  await page.getByLabel('Payload type').selectOption({ label: mode })
  await page.getByRole('textbox', { name: 'Frame to send' }).fill(body)
  await page.getByRole('button', { name: 'Send frame' }).click()
}

test('a foreign server: subprotocol offered, text echoed, binary as hex, a chosen close code', async ({
  page
}) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await openClient(page)
  await page.getByRole('textbox', { name: 'WebSocket URL' }).fill(foreign.url)
  await page.getByRole('textbox', { name: 'Subprotocols' }).fill('chat.v1, echo.v2')
  await page.getByRole('button', { name: 'Open', exact: true }).click()
  await expect(page.getByRole('status', { name: 'Connection state' })).toHaveText('open')
  expect(foreign.offered.at(-1)).toEqual(['chat.v1', 'echo.v2'])
  await expect(page.getByRole('region', { name: 'Handshake' })).toContainText('echo.v2')

  await sendFrame(page, 'Text', '{"type":"hello","n":1}')
  const text = frames(page).getByRole('button', { name: /text frame/ })
  await expect(text).toHaveCount(2)
  await expect(frames(page).getByRole('button', { name: /^received text frame, 22 B/ })).toContainText(
    '{"type":"hello","n":1}'
  )

  await sendFrame(page, 'Binary (hex)', 'de ad be ef')
  const binary = frames(page).getByRole('button', { name: /^received binary frame, 4 B/ })
  await expect(binary).toContainText('de ad be ef')
  await expect(page.getByRole('alert')).toHaveCount(0)
  await binary.click()
  await expect(frames(page).getByLabel('Hex view')).toContainText('000000  de ad be ef')

  // Search narrows the log by hex as well as text.
  await page.getByRole('searchbox', { name: 'Search frames' }).fill('deadbeef')
  await expect(frames(page).getByRole('button', { name: /frame,/ })).toHaveCount(2)
  await page.getByRole('searchbox', { name: 'Search frames' }).fill('')
  await page.screenshot({ path: `${ARTIFACTS}/ws-client-desktop.png` })

  // A code the browser refuses is explained before anything is sent.
  await page.getByRole('textbox', { name: 'Close code' }).fill('1001')
  await expect(page.getByRole('note')).toContainText('Browsers only let a page close with 1000')
  await page.getByRole('textbox', { name: 'Close code' }).fill('4321')
  await page.getByRole('textbox', { name: 'Close reason' }).fill('done testing')
  await page.getByRole('button', { name: 'Close', exact: true }).click()
  await expect(page.getByRole('status', { name: 'Connection state' })).toHaveText('closed')
  await expect.poll(() => foreign.closes.at(-1)).toEqual({ code: 4321, reason: 'done testing' })
  await expect(page.getByRole('region', { name: 'Closes' })).toContainText('4321 Private use (4000–4999)')

  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: `${ARTIFACTS}/ws-client-phone.png`, fullPage: true })
})

test('named connections and saved messages survive a reload', async ({ page }) => {
  await openClient(page)
  await page.getByRole('button', { name: 'New connection' }).click()
  await page.getByRole('textbox', { name: 'Connection name' }).fill('echo box')
  await page.getByRole('textbox', { name: 'WebSocket URL' }).fill(foreign.url)
  await page.getByRole('textbox', { name: 'Frame to send' }).fill('{"type":"subscribe"}')
  await page.getByRole('textbox', { name: 'Message name' }).fill('subscribe')
  await page.getByRole('button', { name: 'Save message' }).click()
  await page.reload()
  // #ws-client in the address keeps the client open across the reload.
  const list = page.getByRole('navigation', { name: 'Connections' })
  await expect(list.getByRole('button', { name: /echo box/ })).toBeVisible()
  await list.getByRole('button', { name: /echo box/ }).click()
  await expect(page.getByRole('textbox', { name: 'WebSocket URL' })).toHaveValue(foreign.url)
  await expect(page.getByRole('list', { name: 'Saved messages' })).toContainText('subscribe')
})
