/**
 * Test support: a real Caddy (Debian's /usr/bin/caddy) running docs/deploy/Caddyfile itself. Only
 * the site's name becomes a local https address with the test certificate (in production Caddy
 * gets one from Let's Encrypt), the upstream port changes, and a global block keeps Caddy's admin
 * API, redirects and storage out of the way.
 */
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SiteValues } from './nginx'
import { runProxy, type RunningProxy } from './proxy-process'

export const CADDY = '/usr/bin/caddy'
export const CADDYFILE = fileURLToPath(new URL('../../docs/deploy/Caddyfile', import.meta.url))

export function renderCaddyfile(template: string, values: SiteValues, storageDir: string): string {
  const substitutions: [string, string][] = [
    [
      '\nchat.example.org {\n',
      `\nhttps://${values.serverName}:${values.listenPort} {\n\tbind 127.0.0.1\n\ttls ${values.certFile} ${values.keyFile}\n`
    ],
    ['reverse_proxy 127.0.0.1:8080 {', `reverse_proxy 127.0.0.1:${values.upstreamPort} {`]
  ]
  let site = template
  for (const [from, to] of substitutions) {
    const count = site.split(from).length - 1
    if (count !== 1)
      throw new Error(`docs/deploy/Caddyfile should contain ${JSON.stringify(from)} once, not ${count}×`)
    site = site.replace(from, to)
  }
  const global = `{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system ${storageDir}\n\tskip_install_trust\n}\n\n`
  return global + site
}

export async function startCaddy(dir: string, values: SiteValues): Promise<RunningProxy> {
  const storage = join(dir, 'caddy-data')
  mkdirSync(storage, { recursive: true })
  const file = join(dir, 'Caddyfile')
  writeFileSync(file, renderCaddyfile(readFileSync(CADDYFILE, 'utf8'), values, storage))
  return runProxy(CADDY, ['run', '--adapter', 'caddyfile', '--config', file], {
    port: values.listenPort,
    certFile: values.certFile,
    stopSignal: 'SIGTERM',
    // Caddy writes its autosave and state under XDG dirs: keep them in the temp dir.
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: storage, XDG_CONFIG_HOME: storage }
  })
}
