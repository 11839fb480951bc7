// `npm run serve`: build, then start the headless server, on whatever Node the newcomer has.
// On Node 22.13 or newer this is the old `electron-vite build && node out/main/cli.js`, with the
// server run in this very process. On an older Node it fetches the pinned Node 22 once (see
// node-runtime.mjs) and hands this whole script over to it, build included.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  GET_NODE_HINT,
  MIN_SERVER_NODE,
  fetchRuntime,
  findRuntime,
  handOver,
  nodeAtLeast,
  tooOldLine
} from './node-runtime.mjs'

const here = fileURLToPath(import.meta.url)
const root = join(dirname(here), '..')

if (!nodeAtLeast(process.versions.node, MIN_SERVER_NODE)) {
  let runtime = findRuntime()
  if (!runtime) {
    try {
      runtime = fetchRuntime()
    } catch (error) {
      const hint = `Fetching one failed: ${error.message}. ${GET_NODE_HINT}`
      process.stderr.write(`${tooOldLine('The Parley server', MIN_SERVER_NODE, hint)}\n`)
      process.exit(1)
    }
  }
  handOver(runtime, [here, ...process.argv.slice(2)])
} else {
  const require = createRequire(import.meta.url)
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js')
  const build = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
  // cli.js reads its flags from process.argv.slice(2): the same as this script's.
  await import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href)
}
