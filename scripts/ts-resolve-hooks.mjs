// Lets plain `node` run the bench and soak TypeScript straight from source. Node 22 strips the
// types itself; what it will not do is resolve the extensionless relative imports that the rest
// of the repo uses (tsconfig's moduleResolution "bundler"), so this adds `.ts` / `/index.ts`.
// Usage: node --import ./scripts/ts-resolve-hooks.mjs bench/run.ts
import module from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MIN_SOURCE_NODE, nodeAtLeast, tooOldLine } from './node-runtime.mjs'

// A named import of registerHooks would fail at link time on an older Node, with a stack trace.
if (!nodeAtLeast(process.versions.node, MIN_SOURCE_NODE) || typeof module.registerHooks !== 'function') {
  process.stderr.write(`${tooOldLine('Running the bench or the soak from source', MIN_SOURCE_NODE)}\n`)
  process.exit(1)
}

module.registerHooks({
  resolve(specifier, context, nextResolve) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../')
    if (relative && context.parentURL?.endsWith('.ts') && !/\.[cm]?[jt]sx?$/.test(specifier)) {
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        const url = new URL(candidate, context.parentURL)
        if (existsSync(fileURLToPath(url))) return nextResolve(candidate, context)
      }
    }
    return nextResolve(specifier, context)
  }
})
