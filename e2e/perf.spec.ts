/// <reference lib="dom" />
import { mkdirSync, writeFileSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import WebSocket from 'ws'
import { openHistoryStore } from '../src/main/server/history-store'
import { expectConnected, joinRoom, messages, openPerson, say, signIn } from './helpers/chat-page'
import {
  makeDataDir,
  removeDataDir,
  startServer,
  stopServer,
  type ParleyServer
} from './helpers/parley-server'

/**
 * Measurements, not assertions of speed: a 100,000-message room scrolled end to end, and a
 * 1,000 messages/s burst while someone types. Run with `PARLEY_PERF=1 npx playwright test e2e/perf.spec.ts`;
 * the numbers are printed and written to e2e-artifacts/perf.json.
 */
test.skip(!process.env.PARLEY_PERF, 'measurements only: set PARLEY_PERF=1')
test.describe.configure({ mode: 'serial' })
test.use({ trace: 'off' })

const ROOM_SIZE = 100_000
const SENDERS = 100
/** The server's steady per-connection rate (protocol DEFAULT_LIMITS.ratePerSecond). */
const PER_SENDER_PER_SECOND = 10
const BURST_SECONDS = 5
const results: Record<string, unknown> = {}

let server: ParleyServer
let dataDir: string

test.beforeAll(() => {
  dataDir = makeDataDir()
  const store = openHistoryStore(dataDir)
  store.ensureRoom('big')
  const started = Date.now()
  for (let i = 0; i < ROOM_SIZE; i++) {
    const who = i % 17
    const text =
      i % 5 === 0 ? `message ${i}: a longer line to make rows differ in height, `.repeat(3) : `message ${i}`
    store.appendMessage('big', { id: `seed-${who}`, nick: `seed${who}` }, text, () => undefined)
  }
  store.flush()
  store.close()
  results.seedMs = Date.now() - started
})

test.beforeEach(async () => {
  server = await startServer({ dataDir, extraArgs: ['--max-per-ip', String(SENDERS + 20)] })
})

test.afterEach(async () => {
  await stopServer(server, 'SIGKILL')
})

test.afterAll(() => {
  removeDataDir(dataDir)
  mkdirSync('e2e-artifacts', { recursive: true })
  writeFileSync('e2e-artifacts/perf.json', JSON.stringify(results, null, 2))
  console.log(JSON.stringify(results, null, 2))
})

/** Frame intervals (ms) measured by requestAnimationFrame in the page while `during` runs. */
async function frameStats(page: Page, during: () => Promise<void>) {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean }
    w.__frames = []
    w.__stop = false
    let last = performance.now()
    const tick = (now: number) => {
      w.__frames.push(now - last)
      last = now
      if (!w.__stop) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
  await during()
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean }
    w.__stop = true
    return w.__frames
  })
  return summarize(frames)
}

function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10
  return {
    count: values.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: at(1),
    over50ms: values.filter((v) => v > 50).length
  }
}

const scroller = (page: Page) => page.locator('[role=log] [data-virtuoso-scroller]')

test('a 100,000-message room: page the whole history in by scrolling up, then scroll through it', async ({
  browser
}) => {
  test.setTimeout(400_000)
  const person = await openPerson(browser, server.httpUrl, 'reader')
  const { page } = person
  await signIn(person)
  await expectConnected(person)
  await joinRoom(page, 'big')
  await expect(messages(page).getByText(`message ${ROOM_SIZE - 1}`, { exact: true })).toBeVisible()

  // Scroll to the top again and again: each time the log asks for 200 older messages.
  const loadedIndexes = async () =>
    page.evaluate(() => {
      const indexes = [...document.querySelectorAll('[role=log] [data-item-index]')].map((e) =>
        Number(e.getAttribute('data-item-index'))
      )
      return Math.min(...indexes)
    })
  const newestIndex = 1_000_000_000 + 49 // the first page: joinHistory 50 messages
  const started = Date.now()
  // Counts scroll-to-top round trips; a round may see part of a page rendered, so rounds >= pages.
  let pages = 0
  const loadStats = await frameStats(page, async () => {
    while (Date.now() - started < 240_000 && pages < 2000) {
      const before = await loadedIndexes()
      // As a person would: a wheel turn (which unpins the view from the newest message), then the top.
      await scroller(page).evaluate((el) => {
        el.dispatchEvent(new WheelEvent('wheel', { deltaY: -1000, bubbles: true }))
        el.scrollTop = 0
      })
      const changed = await page
        .waitForFunction(
          (prev) => {
            const i = [...document.querySelectorAll('[role=log] [data-item-index]')].map((e) =>
              Number(e.getAttribute('data-item-index'))
            )
            return Math.min(...i) < prev
          },
          before,
          { timeout: 5000 }
        )
        .then(
          () => true,
          () => false
        )
      if (!changed) break
      pages++
    }
  })
  const loaded = newestIndex - (await loadedIndexes()) + 1
  results.historyPaging = { pages, messagesLoaded: loaded, ms: Date.now() - started, frames: loadStats }
  await expect(page.getByText('This is the start of #big.')).toBeVisible()

  // With everything loaded, drag through the whole room, top to bottom, in 900 frames (about
  // 15 s at 60 fps): every frame lands on rows that were never rendered before.
  const step = await scroller(page).evaluate((el) => Math.ceil(el.scrollHeight / 900))
  const sweep = await frameStats(page, async () => {
    await scroller(page).evaluate(
      (el, px) =>
        new Promise<void>((resolve) => {
          let frames = 0
          const step = () => {
            el.scrollTop += px
            frames++
            if (frames < 900 && el.scrollTop + el.clientHeight < el.scrollHeight) requestAnimationFrame(step)
            else resolve()
          }
          requestAnimationFrame(step)
        }),
      step
    )
  })
  results.scrollSweep = { pxPerFrame: step, frames: sweep }
  await expect(messages(page).getByText(`message ${ROOM_SIZE - 1}`, { exact: true })).toBeVisible()
  const heap = await page.evaluate(
    () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null
  )
  results.heapMiB = heap === null ? null : Math.round(heap / 1024 / 1024)
  await page.screenshot({ path: 'e2e-artifacts/perf-big-room.png' })
  await person.context.close()
})

test('a burst of 1,000 messages/s while typing', async ({ browser }) => {
  test.setTimeout(180_000)
  const person = await openPerson(browser, server.httpUrl, 'typist')
  const { page } = person
  await signIn(person)
  await expectConnected(person)
  await joinRoom(page, 'burst')

  const url = `ws://${server.address}/ws`
  const sockets: WebSocket[] = []
  try {
    await Promise.all(
      Array.from({ length: SENDERS }, (_, i) => {
        return new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url, 'parley.v1', { perMessageDeflate: false, skipUTF8Validation: true })
          sockets.push(ws)
          ws.on('error', reject)
          ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', nick: `sender${i}` })))
          // Every sender also receives the whole burst (100 copies of each message in this
          // process), which limits how fast this machine can drive it: once joined, frames are
          // still read (so the server never sees a slow consumer) but no longer decoded here.
          // The rate achieved is reported.
          ws.on('message', (data) => {
            const text = data.toString()
            if (text.includes('"type":"joined"') && text.includes('"room":"burst"')) {
              ws.removeAllListeners('message')
              resolve()
            } else if (text.includes('"type":"welcome"'))
              ws.send(JSON.stringify({ type: 'join', room: 'burst' }))
          })
        })
      })
    )

    // In the page: how long each keystroke waits before its handler runs, and until the next frame.
    await page.evaluate(() => {
      const w = window as unknown as { __input: number[]; __paint: number[] }
      w.__input = []
      w.__paint = []
      document.addEventListener(
        'keydown',
        (event) => {
          const start = event.timeStamp
          w.__input.push(performance.now() - start)
          requestAnimationFrame(() => w.__paint.push(performance.now() - start))
        },
        true
      )
    })
    const composer = page.getByRole('textbox', { name: 'Message' })
    await composer.click()

    let seq = 0
    let burstMs = 0
    const frames = await frameStats(page, async () => {
      const burstStart = Date.now()
      // One driver tick every 10 ms sends from a tenth of the senders, so each sender stays at
      // its 10/s and the room as a whole gets 1,000/s.
      let tick = 0
      const group = SENDERS / 10
      const driver = setInterval(
        () => {
          const first = (tick % 10) * group
          tick++
          for (const ws of sockets.slice(first, first + group)) {
            seq++
            ws.send(JSON.stringify({ type: 'send', room: 'burst', text: `burst ${seq}` }))
          }
        },
        1000 / PER_SENDER_PER_SECOND / 10
      )
      const typing = page.keyboard.type('the quick brown fox jumps over the lazy dog '.repeat(3), {
        delay: 40
      })
      await new Promise((r) => setTimeout(r, BURST_SECONDS * 1000))
      clearInterval(driver)
      burstMs = Date.now() - burstStart
      await typing
    })
    await expect(composer).toHaveValue('the quick brown fox jumps over the lazy dog '.repeat(3))
    // Ids follow arrival at the server, not the senders' counter, so a marker sent after the burst
    // is the one message sure to be last. Its time to the screen is the whole pipeline's lag
    // (senders, server fan-out to 101 sockets, the page) on two shared cores.
    const drainStart = Date.now()
    sockets[0]?.send(JSON.stringify({ type: 'send', room: 'burst', text: 'end of burst' }))
    await expect(messages(page).getByText('end of burst', { exact: true })).toBeVisible({ timeout: 90_000 })
    const drainMs = Date.now() - drainStart
    const latency = await page.evaluate(() => {
      const w = window as unknown as { __input: number[]; __paint: number[] }
      return { input: w.__input, paint: w.__paint }
    })
    results.burst = {
      senders: SENDERS,
      sent: seq,
      seconds: Math.round(burstMs / 100) / 10,
      ratePerSecond: Math.round(seq / (burstMs / 1000)),
      markerAfterBurstOnScreenMs: drainMs,
      keydownToHandlerMs: summarize(latency.input),
      keydownToNextFrameMs: summarize(latency.paint),
      frames
    }
    await say(page, 'still responsive')
    await expect(messages(page).getByText('still responsive')).toBeVisible()
    await page.screenshot({ path: 'e2e-artifacts/perf-burst.png' })
  } finally {
    for (const ws of sockets) ws.terminate()
    await person.context.close()
  }
})
