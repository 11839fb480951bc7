/**
 * Search at the store level: Parley's SQLite store with its FTS5 index, filled with `count`
 * messages (default 1,000,000) over 50 rooms from a skewed vocabulary, then timed on queries as
 * a person would type them: one word (common and rare), two words, a prefix. A searcher is in 10
 * rooms. Run as a child of bench/run.ts through jiti (it imports server source); prints progress,
 * then one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openHistoryStore } from '../src/main/server/history-store'
import { searchWords } from '../src/main/server/hub/search'

const count = Number(process.argv[2] ?? 1_000_000)
const queriesPerKind = Number(process.argv[3] ?? 200)
const ROOMS = 50
const VOCABULARY = 20_000
const WORDS_PER_MESSAGE = 9

// A fixed seed: every run searches the same history.
let seed = 42
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const letters = 'abcdefghijklmnopqrstuvwxyz'
const vocabulary = Array.from({ length: VOCABULARY }, (_, i) => {
  let word = ''
  for (let n = i + 1; n > 0; n = Math.floor(n / 26)) word += letters[n % 26]
  return `${word}${letters[i % 26]}${letters[(i * 7) % 26]}`
})
// Word i is drawn with probability ~ 1/(i+1)^0.9-ish: a few words are in a third of all messages.
const pick = (): string => vocabulary[Math.floor(VOCABULARY * random() ** 4)] as string

const dir = mkdtempSync(join(tmpdir(), 'parley-bench-search-'))
const store = openHistoryStore(dir)
const user = { id: 'u_bench', nick: 'bench' }
for (let r = 0; r < ROOMS; r++) store.ensureRoom(`room-${r}`)

const genStart = performance.now()
const CHUNK = 20_000
for (let done = 0; done < count;) {
  const n = Math.min(CHUNK, count - done)
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: WORDS_PER_MESSAGE }, pick).join(' ')
    store.appendMessage(`room-${(done + i) % ROOMS}`, user, words, () => undefined)
  }
  store.flush()
  done += n
  if (done % 200_000 === 0) console.error(`  generated ${done.toLocaleString()} messages`)
}
const generationMs = performance.now() - genStart

const rooms = Array.from({ length: 10 }, (_, i) => `room-${i * 5}`)
const timed = (q: string): { ms: number; found: number } => {
  const started = performance.now()
  const page = store.search({ words: searchWords(q), rooms, userId: user.id, limit: 50 })
  return { ms: performance.now() - started, found: page.messages.length }
}
const word = (from: number, to: number): string =>
  vocabulary[from + Math.floor(random() * (to - from))] as string
const kinds: Record<string, () => string> = {
  'common word': () => word(0, 20),
  'rare word': () => word(5_000, VOCABULARY),
  'two words': () => `${word(0, 200)} ${word(0, 2_000)}`,
  prefix: () => word(0, 2_000).slice(0, 3)
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
const byKind: Record<string, { p50: number; p95: number; p99: number; meanFound: number }> = {}
const all: number[] = []
for (const [kind, make] of Object.entries(kinds)) {
  const samples: number[] = []
  let found = 0
  for (let i = 0; i < queriesPerKind; i++) {
    const result = timed(make())
    samples.push(result.ms)
    found += result.found
  }
  samples.sort((a, b) => a - b)
  all.push(...samples)
  byKind[kind] = {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    meanFound: found / queriesPerKind
  }
  console.error(`  ${kind}: p50 ${byKind[kind].p50.toFixed(2)} ms, p95 ${byKind[kind].p95.toFixed(2)} ms`)
}
all.sort((a, b) => a - b)
store.close()
rmSync(dir, { recursive: true, force: true })
console.log(
  JSON.stringify({
    messages: count,
    rooms: ROOMS,
    searcherRooms: rooms.length,
    generationMs,
    queries: all.length,
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    p99: percentile(all, 99),
    byKind
  })
)
