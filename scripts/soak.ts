/**
 * `npm run soak -- --minutes N [--clients 200] [--kills 2] [--server source|built]`
 *
 * The long soak with faults; the same run as the 2-minute CI test, for as long as you like.
 * Prints a summary, writes the full report to bench/results/soak-<time>.json, and exits 1 when
 * any check failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { format } from 'prettier'
import { runSoak, SOAK_DEFAULTS } from './soak/soak-run'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    clients: { type: 'string', default: String(SOAK_DEFAULTS.clients) },
    kills: { type: 'string', default: String(SOAK_DEFAULTS.kills) },
    server: { type: 'string', default: SOAK_DEFAULTS.server }
  }
})
const minutes = Number(values.minutes)
if (!(minutes > 0 && minutes <= 24 * 60))
  throw new TypeError('--minutes must be a number of minutes from 0 to 1440')
if (values.server !== 'source' && values.server !== 'built')
  throw new TypeError('--server must be source or built')

const report = await runSoak({
  ...SOAK_DEFAULTS,
  durationMs: minutes * 60_000,
  clients: Number(values.clients),
  kills: Number(values.kills),
  server: values.server,
  log: (line) => console.log(line)
})
const dir = new URL('../bench/results/', import.meta.url).pathname
mkdirSync(dir, { recursive: true })
const file = `${dir}soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
// Formatted as `npm run lint` (prettier --check .) expects of every file in the repo.
writeFileSync(file, await format(JSON.stringify(report), { parser: 'json' }))
console.log(JSON.stringify({ ...report, logErrors: report.logErrors.length }, null, 2))
console.log(
  report.ok ? `soak passed; report: ${file}` : `soak FAILED: ${report.failures.join('; ')}; report: ${file}`
)
process.exitCode = report.ok ? 0 : 1
