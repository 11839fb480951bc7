// Guards npm scripts that need Node 22: `node scripts/require-node.mjs "npm test" && …` stops
// with one line naming the Node it needs instead of a stack trace from deep inside a tool.
import { MIN_SERVER_NODE, nodeAtLeast, tooOldLine } from './node-runtime.mjs'

const what = process.argv[2] || 'This command'
if (!nodeAtLeast(process.versions.node, MIN_SERVER_NODE)) {
  process.stderr.write(`${tooOldLine(what, MIN_SERVER_NODE)} (\`npm run serve\` works on this Node.)\n`)
  process.exit(1)
}
