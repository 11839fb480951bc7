/// <reference lib="dom" />
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { expect, test, type Page } from '@playwright/test'
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
 * 1,000 messages/s burst (posted through the admin
 * HTTP API by a separate process) while someone types. Run with `PARLEY_PERF=1 npx playwright test e2e/perf.spec.ts`;
 * the numbers are printed and written to e2e-artifacts/perf.json.
 */
test.skip(!process.env.PARLEY_PERF, 'measurements only: set PARLEY_PERF=1')
test.describe.configure({ mode: 'serial' })
test.use({ trace: 'off' })

const ROOM_SIZE = 100_000
const BURST_RATE = 1_000
const BURST_SECONDS = 10
const ADMIN_TOKEN = 'perf-admin-token'
const results: Record<string, unknown> = {}
const PERF_JSON = 'e2e-artifacts/perf.json'

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
  server = await startServer({ dataDir, extraArgs: ['--admin-token', ADMIN_TOKEN] })
})

test.afterEach(async () => {
  await stopServer(server, 'SIGKILL')
})

test.afterAll(() => {
  removeDataDir(dataDir)
  mkdirSync('e2e-artifacts', { recursive: true })
  // A run of one test (-g) keeps the other test's last numbers instead of dropping them.
  const previous = existsSync(PERF_JSON) ? (JSON.parse(readFileSync(PERF_JSON, 'utf8')) as object) : {}
  writeFileSync(PERF_JSON, JSON.stringify({ ...previous, ...results }, null, 2))
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
  // Which `burst N` reached the page's socket, to tell a message the page never got from one that
  // arrived but was pushed out of the virtualized log before a frame showed it. Installed before
  // the app's own script runs (hence the reload, still on the connect screen).
  await person.context.addInitScript(() => {
    const received = new Map<number, number>()
    ;(window as unknown as { __received: Map<number, number> }).__received = received
    const Native = window.WebSocket
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols)
        this.addEventListener('message', (event: MessageEvent) => {
          if (typeof event.data !== 'string') return
          const now = Date.now()
          for (const match of event.data.matchAll(/"text":"burst (\d+)"/g))
            received.set(Number(match[1]), now)
        })
      }
    }
  })
  await page.reload()
  await signIn(person)
  await expectConnected(person)
  await joinRoom(page, 'burst')

  // In the page: how long each keystroke waits before its handler runs and until the next frame;
  // long tasks; and, once per frame, which `burst N` messages are in the log's DOM (the log is
  // virtualized, so "rendered" means it was a row in some frame, not that it is still there).
  await page.evaluate(() => {
    const w = window as unknown as PerfProbe
    w.__input = []
    w.__paint = []
    w.__longTasks = []
    w.__seen = new Map()
    w.__watching = true
    document.addEventListener(
      'keydown',
      (event) => {
        const start = event.timeStamp
        w.__input.push(performance.now() - start)
        requestAnimationFrame(() => w.__paint.push(performance.now() - start))
      },
      true
    )
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration)
    }).observe({ type: 'longtask' })
    const log = document.querySelector('[role=log]')
    const scan = () => {
      const now = Date.now()
      for (const match of (log?.textContent ?? '').matchAll(/burst (\d+)/g)) {
        const seq = Number(match[1])
        if (!w.__seen.has(seq)) w.__seen.set(seq, now)
      }
      if (w.__watching) requestAnimationFrame(scan)
    }
    requestAnimationFrame(scan)
  })
  const composer = page.getByRole('textbox', { name: 'Message' })
  await composer.click()
  const typed = 'the quick brown fox jumps over the lazy dog '.repeat(3)

  const storedBefore = await messagesStored()
  let burst: BurstReport | undefined
  const frames = await frameStats(page, async () => {
    const generator = startBurst({
      port: server.port,
      room: 'burst',
      token: ADMIN_TOKEN,
      rate: BURST_RATE,
      seconds: BURST_SECONDS
    })
    await generator.started
    await page.keyboard.type(typed, { delay: 40 })
    // After the typing (so the capture does not land on a keystroke), still inside the burst.
    await page.screenshot({ path: 'e2e-artifacts/perf-burst.png' })
    burst = await generator.done
  })
  if (!burst) throw new Error('the load generator reported nothing')
  const storedDuringBurst = (await messagesStored()) - storedBefore
  await expect(composer).toHaveValue(typed)

  // Everything has reached the page's socket, and a few frames have had the chance to show it.
  await page.waitForFunction(
    (sent) => (window as unknown as { __received: Map<number, number> }).__received.size >= sent,
    burst.sent,
    { timeout: 30_000 }
  )
  await page.waitForTimeout(300)
  const probe = await page.evaluate(() => {
    const w = window as unknown as PerfProbe
    w.__watching = false
    const received = [...(window as unknown as { __received: Map<number, number> }).__received]
    // Where the log's scroller is once the burst is in: at the bottom when it follows the newest.
    const el = document.querySelector('[role=log] [data-virtuoso-scroller]')
    const scroll = el && { top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight }
    return {
      input: w.__input,
      paint: w.__paint,
      longTasks: w.__longTasks,
      seen: [...w.__seen],
      received,
      scroll
    }
  })
  const seconds = burst.sendSeconds
  // Per second of the burst: how many messages were posted and how many first reached the screen;
  // and for each message on screen, how long after it was posted.
  const { startedAt, sentAt } = burst
  const perSecond = (times: number[]) => {
    const counts = Array.from({ length: Math.ceil(seconds) + 2 }, () => 0)
    for (const t of times) {
      const bucket = Math.floor(t / 1000)
      if (bucket >= 0 && bucket < counts.length) counts[bucket] = (counts[bucket] ?? 0) + 1
    }
    return counts
  }
  // The page's own share of that: from the frame reaching its socket to the first frame showing it.
  const receivedAt = new Map(probe.received)
  const renderLag = probe.seen.flatMap(([seq, at]) => {
    const got = receivedAt.get(seq)
    return got === undefined ? [] : [at - got]
  })
  const onScreenLag = probe.seen.flatMap(([seq, at]) => {
    const posted = sentAt[seq - 1]
    return posted === undefined ? [] : [at - startedAt - posted]
  })
  const burstResult = {
    generator: 'admin HTTP API from a child process (keep-alive agent, paced)',
    requested: burst.requested,
    sent: burst.sent,
    answers: burst.statuses,
    answerMs: burst.answerMs,
    maxBehindSchedule: burst.maxBehindSchedule,
    seconds,
    sentPerSecond: burst.sentPerSecond,
    storedAtServer: storedDuringBurst,
    storedPerSecond: Math.round(storedDuringBurst / seconds),
    receivedOverSocket: probe.received.length,
    logScrollAfterBurst: probe.scroll,
    longestRunNeverInDom: longestGap(new Set(probe.seen.map(([seq]) => seq)), burst.sent),
    renderedInLog: probe.seen.length,
    renderedPerSecond: Math.round(probe.seen.length / seconds),
    postedEachSecond: perSecond(sentAt),
    renderedEachSecond: perSecond(probe.seen.map(([, at]) => at - startedAt)),
    postedToOnScreenMs: summarize(onScreenLag),
    receivedToOnScreenMs: summarize(renderLag),
    markerAfterBurstOnScreenMs: null as number | null,
    keydownToHandlerMs: summarize(probe.input),
    keydownToNextFrameMs: summarize(probe.paint),
    longTasks: {
      count: probe.longTasks.length,
      totalMs: Math.round(probe.longTasks.reduce((a, b) => a + b, 0)),
      maxMs: Math.round(Math.max(0, ...probe.longTasks))
    },
    frames
  }
  results.burst = burstResult

  // A marker posted after the burst is the one message sure to be last; its time to the screen is
  // what is left of the pipeline's lag once the burst ends. (Measured after the numbers above are
  // kept, so a log that stopped following the newest message still leaves them in perf.json.)
  const drainStart = Date.now()
  await postAsAdmin('burst', 'end of burst')
  await expect(messages(page).getByText('end of burst', { exact: true })).toBeVisible({ timeout: 30_000 })
  burstResult.markerAfterBurstOnScreenMs = Date.now() - drainStart
  await say(page, 'still responsive')
  await expect(messages(page).getByText('still responsive')).toBeVisible()
  await person.context.close()
})

/** The longest run of consecutive `burst N` (1..last) that are not in `seen`. */
function longestGap(seen: Set<number>, last: number): number {
  let longest = 0
  let run = 0
  for (let seq = 1; seq <= last; seq++) {
    run = seen.has(seq) ? 0 : run + 1
    longest = Math.max(longest, run)
  }
  return longest
}

interface PerfProbe {
  __input: number[]
  __paint: number[]
  __longTasks: number[]
  /** `burst N` → when (epoch ms) it was first in the log's DOM at a frame. */
  __seen: Map<number, number>
  __watching: boolean
}

interface BurstReport {
  requested: { rate: number; seconds: number; total: number }
  sent: number
  answered: number
  statuses: Record<string, number>
  sendSeconds: number
  sentPerSecond: number
  maxBehindSchedule: number
  startedAt: number
  sentAt: number[]
  answerMs: { p50: number; p95: number; max: number }
}

/**
 * Runs e2e/helpers/admin-burst.ts in its own Node process (Node >= 22.18 runs it by stripping
 * types): the load is generated off the Playwright process, and through the admin HTTP API it
 * never comes back to the generator, so the generator is not what limits the rate.
 */
function startBurst(args: { port: number; room: string; token: string; rate: number; seconds: number }) {
  const child = spawn(process.execPath, [resolve('e2e/helpers/admin-burst.ts'), JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: child.stdout })
  let onStart: () => void = () => undefined
  const started = new Promise<void>((resolveStart) => (onStart = resolveStart))
  const done = new Promise<BurstReport>((resolveDone, reject) => {
    const timer = setTimeout(
      () => {
        child.kill('SIGKILL')
        reject(new Error('the load generator did not finish in time'))
      },
      (args.seconds + 30) * 1000
    )
    lines.on('line', (line) => {
      const event = JSON.parse(line) as { event: string }
      if (event.event === 'start') onStart()
      if (event.event === 'done') {
        clearTimeout(timer)
        resolveDone(event as unknown as BurstReport)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the load generator exited (${code}) without a report`))
    })
  })
  return { started: Promise.race([started, done.then(() => undefined)]), done }
}

async function messagesStored(): Promise<number> {
  const res = await fetch(new URL('api/stats', server.httpUrl))
  return ((await res.json()) as { messagesStored: number }).messagesStored
}

async function postAsAdmin(room: string, text: string): Promise<void> {
  const res = await fetch(new URL(`api/rooms/${room}/messages`, server.httpUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ text })
  })
  if (res.status !== 201) throw new Error(`admin post answered ${res.status}`)
}
