#!/usr/bin/env node
// The `parley-server` command: the built headless server (`npm run build` builds it; `npm run serve`
// builds and starts it). Started by a Node older than the server needs, it hands over to the Node 22
// that `npm run serve` fetched for this project, or says in one line what to do.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  GET_NODE_HINT,
  MIN_SERVER_NODE,
  findRuntime,
  handOver,
  nodeAtLeast,
  tooOldLine
} from '../scripts/node-runtime.mjs'

const cli = new URL('../out/main/cli.js', import.meta.url)

if (!nodeAtLeast(process.versions.node, MIN_SERVER_NODE)) {
  const runtime = findRuntime()
  if (!runtime) {
    const hint = `${GET_NODE_HINT}, or run \`npm run serve\` once: it fetches Node 22 for this project from the npm registry`
    process.stderr.write(`${tooOldLine('parley-server', MIN_SERVER_NODE, hint)}\n`)
    process.exit(1)
  }
  handOver(runtime, [fileURLToPath(import.meta.url), ...process.argv.slice(2)])
} else if (!existsSync(cli)) {
  process.stderr.write(
    'parley-server is not built yet: run `npm run build` first (or start it with `npm run serve`).\n'
  )
  process.exit(1)
} else {
  await import(cli.href)
}
