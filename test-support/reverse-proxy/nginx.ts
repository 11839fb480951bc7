/**
 * Test support: a real nginx (Debian's /usr/sbin/nginx) in front of a test server, running on
 * docs/deploy/nginx.conf itself, with only its ports, names and paths substituted, and a
 * self-signed certificate made with openssl for the occasion. Everything (config, pid, logs,
 * temp files) lives in one temp dir; nginx runs in the foreground (`daemon off`) as our child.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runProxy, type RunningProxy } from './proxy-process'

export const NGINX = '/usr/sbin/nginx'
export const NGINX_SITE = fileURLToPath(new URL('../../docs/deploy/nginx.conf', import.meta.url))

export interface SiteValues {
  serverName: string
  listenPort: number
  upstreamPort: number
  certFile: string
  keyFile: string
}

/**
 * The documented site with test values. Each replaced line must be in the file exactly once:
 * if the doc changes shape, this fails instead of silently testing something else.
 */
export function renderNginxSite(template: string, values: SiteValues): string {
  const substitutions: [string, string][] = [
    ['    listen 443 ssl;\n', `    listen 127.0.0.1:${values.listenPort} ssl;\n`],
    // Loopback IPv6 may be missing on a CI box; the IPv4 listener is the one under test.
    ['    listen [::]:443 ssl;\n', ''],
    ['    server 127.0.0.1:8080;\n', `    server 127.0.0.1:${values.upstreamPort};\n`],
    ['/etc/letsencrypt/live/chat.example.org/fullchain.pem', values.certFile],
    ['/etc/letsencrypt/live/chat.example.org/privkey.pem', values.keyFile],
    ['    server_name chat.example.org;\n', `    server_name ${values.serverName};\n`]
  ]
  let site = template
  for (const [from, to] of substitutions) {
    const count = site.split(from).length - 1
    if (count !== 1)
      throw new Error(`docs/deploy/nginx.conf should contain ${JSON.stringify(from)} once, not ${count}×`)
    site = site.replace(from, to)
  }
  return site
}

/** A key and a certificate for `name` and 127.0.0.1, valid for a day. */
export function selfSignedCertificate(dir: string, name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=DNS:${name},IP:127.0.0.1`,
      '-keyout',
      keyFile,
      '-out',
      certFile
    ],
    { stdio: 'pipe' }
  )
  return { certFile, keyFile }
}

/** Runs nginx on the documented site in `dir` (a fresh temp dir the caller removes). */
export async function startNginx(dir: string, values: SiteValues): Promise<RunningProxy> {
  const temp = join(dir, 'temp')
  mkdirSync(temp, { recursive: true })
  const site = join(dir, 'parley.conf')
  writeFileSync(site, renderNginxSite(readFileSync(NGINX_SITE, 'utf8'), values))
  const errorLog = join(dir, 'error.log')
  // What Debian's /etc/nginx/nginx.conf provides around conf.d in production, kept to the minimum.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  include ${site};
}
`
  )
  return runProxy(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog], {
    port: values.listenPort,
    certFile: values.certFile,
    logFile: errorLog,
    stopSignal: 'SIGQUIT'
  })
}
