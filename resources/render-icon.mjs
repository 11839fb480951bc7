// Renders resources/icon.svg to resources/icon.png (512x512, transparent corners) with the
// Chromium Playwright drives, so the icon has one source and no image tool is needed.
// Usage: node resources/render-icon.mjs   (PARLEY_CHROMIUM overrides the browser path)
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from '@playwright/test'

const dir = import.meta.dirname
const svg = readFileSync(join(dir, 'icon.svg'), 'utf8')
const executablePath =
  process.env.PARLEY_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] })
try {
  const page = await browser.newPage({ viewport: { width: 512, height: 512 } })
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
  await page.locator('svg').screenshot({ path: join(dir, 'icon.png'), omitBackground: true })
} finally {
  await browser.close()
}
