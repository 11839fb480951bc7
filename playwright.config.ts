import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

// These machines cannot download Playwright's browser build; Debian's Chromium stands in.
// Elsewhere (no /usr/bin/chromium, no PARLEY_CHROMIUM) Playwright's own Chromium is used.
const systemChromium =
  process.env.PARLEY_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: systemChromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  }
})
