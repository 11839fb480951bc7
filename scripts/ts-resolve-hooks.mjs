// Lets plain `node` run the bench and soak TypeScript straight from source. Node 22 strips the
// types itself; what it will not do is resolve the extensionless relative imports that the rest
// of the repo uses (tsconfig's moduleResolution "bundler"), so this adds `.ts` / `/index.ts`.
// Usage: node --import ./scripts/ts-resolve-hooks.mjs bench/run.ts
import { registerHooks } from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

registerHooks({
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
