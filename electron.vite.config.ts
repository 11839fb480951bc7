import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The headless server CLI is built beside the Electron entry so `npm run serve`
        // and the app ship the very same server module.
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/server/cli.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() node_modules: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    // Relative asset URLs: the same build is loaded from file:// in Electron and served at / by the server.
    base: './',
    build: {
      // electron-vite targets the bundled Chromium and skips minifying, right for a local file;
      // but the server also serves this build to phones and laptops on the LAN, so minify it
      // and target browsers of the last few years instead of one Chromium version.
      minify: true,
      target: 'es2022'
    },
    plugins: [react()]
  }
})
