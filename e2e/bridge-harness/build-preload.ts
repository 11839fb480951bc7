/**
 * Bundles the harness preload (preload-entry.ts + the real src/preload/api.ts + zod) into one
 * script for page.addInitScript, with the same bundler the app is built with.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'vite'

export async function buildHarnessPreload(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: join(import.meta.dirname, 'preload-entry.ts'),
        formats: ['iife'],
        name: 'ParleyHarnessPreload',
        fileName: () => 'preload.js'
      }
    }
  })
  return readFile(join(outDir, 'preload.js'), 'utf8')
}
