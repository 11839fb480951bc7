/**
 * The oldest Node the server runs on: node:sqlite without a flag arrived in 22.13. The same
 * number is in package.json `engines` and scripts/node-runtime.mjs (a test keeps all three equal).
 */
export const MIN_NODE_VERSION = '22.13.0'

/** True when `version` ("20.20.2", "v22.13.0") is at least MIN_NODE_VERSION. */
export function nodeCanRunServer(version: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number)
  const need = MIN_NODE_VERSION.split('.').map(Number)
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0
    const b = need[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}

/** The one line the CLI prints, instead of node:sqlite's stack trace, on a Node that is too old. */
export function nodeTooOldLine(version: string): string {
  return (
    `parley-server needs Node.js 22.13 or newer; this is Node ${version}. ` +
    'Install Node 22 from https://nodejs.org (or `nvm install 22`), or start it with `npm run serve`, ' +
    'which fetches Node 22 for this project from the npm registry.'
  )
}
