/**
 * Command-line flags of the headless server (`npm run serve`, `parley-server`), parsed with
 * node:util parseArgs into ChatServerOptions. Kept apart from cli.ts so it can be tested
 * without starting anything.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ChatServerOptions } from './server-types'
import { parseProxyTrust } from './trusted-proxy'

export const USAGE = `Usage: parley-server [options]
       parley-server backup FILE [--data DIR]   copy the history database while the server runs

  --port N              port to listen on (default 8080; 0 picks a free one)
  --host ADDR           address to bind (default 0.0.0.0: every interface)
  --name NAME           server name shown to clients (default: this machine's hostname)
  --password PW         require this password in every hello (or env PARLEY_PASSWORD)
  --data DIR            where the history database lives (default ./parley-data)
  --allow-origin URL    also accept WebSocket handshakes from this web origin, and HTTP requests
                        naming its host (repeatable; * = any)
  --admin-token T       enable the admin HTTP API (Authorization: Bearer T) (or env PARLEY_ADMIN_TOKEN)
  --static DIR          serve this directory as the web client at / (default: the built renderer, if present)
  --no-static           do not serve the web client
  --redis URL           share history, sessions, nicks and presence with every server started with
                        the same Redis (redis://host:port; or env PARLEY_REDIS_URL): one chat
                        (env PARLEY_REDIS_PREFIX: key prefix, default parley:, for several chats on one Redis)
  --max-connections N   total open sockets before refusing with 503 (default 5000)
  --max-per-ip N        open sockets per address before refusing with 503 (default 100)
  --max-file-bytes N    largest upload, bytes (default 26214400: 25 MiB)
  --file-quota-bytes N  what one user's uploads may add up to, bytes (default 262144000: 250 MiB)
  --files-total-bytes N disk budget for every stored file, bytes (default 5368709120: 5 GiB)
  --trust-proxy LIST    reverse proxies (addresses or CIDRs, comma-separated, repeatable; or env
                        PARLEY_TRUST_PROXY): only their X-Forwarded-For / Forwarded and
                        X-Forwarded-Proto / -Host are believed (default: none)
  --history-days N      delete messages and DMs older than N days (checked every 10 minutes)
  --history-max N       keep only the newest N messages of each room
  --tls                 serve https:// and wss:// with a self-signed certificate made once and
                        kept in the data directory (its SHA-256 fingerprint is printed at start)
  --tls-cert FILE       serve TLS with this certificate (PEM) instead; needs --tls-key
  --tls-key FILE        the private key (PEM) of --tls-cert
  --no-mdns             do not announce the server on the local network (mDNS, _parley._tcp)
  --log-level LEVEL     fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help            show this help
`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'serve'; options: ChatServerOptions; logLevel: LogLevel }
  | { kind: 'backup'; dataDir: string; file: string }

function integer(name: string, value: string | undefined, min: number, max: number): number | string {
  if (value === undefined) return Number.NaN
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    return `--${name} must be a whole number from ${min} to ${max}.`
  return n
}

const DEFAULT_DATA_DIR = './parley-data'

function parseBackupArgs(argv: string[]): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        data: { type: 'string', default: DEFAULT_DATA_DIR },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (error) {
    return { kind: 'error', message: (error as Error).message }
  }
  if (parsed.values.help) return { kind: 'help' }
  const [file, ...extra] = parsed.positionals
  if (file === undefined) return { kind: 'error', message: 'backup needs the file to write: backup FILE.' }
  if (extra.length > 0)
    return { kind: 'error', message: `Unexpected argument '${extra[0]}' after backup FILE.` }
  return { kind: 'backup', dataDir: resolve(parsed.values.data ?? DEFAULT_DATA_DIR), file: resolve(file) }
}

/** `defaultStaticDir`: the built renderer next to the built CLI (out/renderer), when it exists. */
export function parseCliArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  defaultStaticDir: string | undefined
): CliCommand {
  if (argv[0] === 'backup') return parseBackupArgs(argv.slice(1))
  let values
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '8080' },
        host: { type: 'string', default: '0.0.0.0' },
        name: { type: 'string' },
        password: { type: 'string' },
        data: { type: 'string', default: DEFAULT_DATA_DIR },
        'allow-origin': { type: 'string', multiple: true },
        'admin-token': { type: 'string' },
        static: { type: 'string' },
        'no-static': { type: 'boolean', default: false },
        redis: { type: 'string' },
        'max-connections': { type: 'string', default: '5000' },
        'max-per-ip': { type: 'string', default: '100' },
        'max-file-bytes': { type: 'string' },
        'file-quota-bytes': { type: 'string' },
        'files-total-bytes': { type: 'string' },
        'trust-proxy': { type: 'string', multiple: true },
        'history-days': { type: 'string' },
        'history-max': { type: 'string' },
        tls: { type: 'boolean', default: false },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'no-mdns': { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (error) {
    return { kind: 'error', message: (error as Error).message }
  }
  if (values.help) return { kind: 'help' }

  const port = integer('port', values.port, 0, 65535)
  const maxConnections = integer('max-connections', values['max-connections'], 1, 1_000_000)
  const maxPerIp = integer('max-per-ip', values['max-per-ip'], 1, 1_000_000)
  const historyDays =
    values['history-days'] === undefined
      ? undefined
      : integer('history-days', values['history-days'], 1, 36_500)
  const historyMax =
    values['history-max'] === undefined
      ? undefined
      : integer('history-max', values['history-max'], 1, 1_000_000_000)
  for (const value of [port, maxConnections, maxPerIp, historyDays, historyMax]) {
    if (typeof value === 'string') return { kind: 'error', message: value }
  }
  const fileLimits: NonNullable<ChatServerOptions['fileLimits']> = {}
  for (const [flag, key] of [
    ['max-file-bytes', 'maxFileBytes'],
    ['file-quota-bytes', 'userQuotaBytes'],
    ['files-total-bytes', 'totalBytes']
  ] as const) {
    if (values[flag] === undefined) continue
    const bytes = integer(flag, values[flag], 1, Number.MAX_SAFE_INTEGER)
    if (typeof bytes === 'string') return { kind: 'error', message: bytes }
    fileLimits[key] = bytes
  }
  const logLevel = values['log-level'] as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) {
    return { kind: 'error', message: `--log-level must be one of ${LOG_LEVELS.join(', ')}.` }
  }
  const password = values.password ?? env.PARLEY_PASSWORD
  if (password === '') return { kind: 'error', message: '--password must not be empty.' }
  const adminToken = values['admin-token'] ?? env.PARLEY_ADMIN_TOKEN
  if (adminToken !== undefined && adminToken.length < 8) {
    return { kind: 'error', message: '--admin-token must be at least 8 characters.' }
  }
  const trustProxy = (values['trust-proxy'] ?? (env.PARLEY_TRUST_PROXY ? [env.PARLEY_TRUST_PROXY] : []))
    .flatMap((item) => item.split(/[\s,]+/))
    .filter(Boolean)
  try {
    parseProxyTrust(trustProxy)
  } catch (error) {
    return { kind: 'error', message: `--trust-proxy: ${(error as Error).message}` }
  }
  const certFile = values['tls-cert']
  const keyFile = values['tls-key']
  if ((certFile === undefined) !== (keyFile === undefined)) {
    return { kind: 'error', message: '--tls-cert and --tls-key go together: give both, or neither.' }
  }
  for (const [flag, file] of [
    ['--tls-cert', certFile],
    ['--tls-key', keyFile]
  ] as const) {
    if (file !== undefined && !existsSync(file))
      return { kind: 'error', message: `${flag} ${file}: no such file.` }
  }
  const tls =
    certFile !== undefined && keyFile !== undefined
      ? { certFile: resolve(certFile), keyFile: resolve(keyFile) }
      : values.tls
        ? { selfSigned: true as const }
        : undefined
  const redisUrl = values.redis ?? env.PARLEY_REDIS_URL
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl)) {
    return { kind: 'error', message: '--redis must be a redis:// (or rediss://) URL.' }
  }
  let staticDir: string | undefined
  if (!values['no-static']) {
    if (values.static !== undefined) {
      staticDir = resolve(values.static)
      if (!existsSync(staticDir))
        return { kind: 'error', message: `--static ${values.static}: no such directory.` }
    } else if (defaultStaticDir !== undefined && existsSync(defaultStaticDir)) {
      staticDir = defaultStaticDir
    }
  }
  return {
    kind: 'serve',
    logLevel,
    options: {
      dataDir: resolve(values.data ?? DEFAULT_DATA_DIR),
      port: port as number,
      host: values.host ?? '0.0.0.0',
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(values['allow-origin'] ? { allowOrigins: values['allow-origin'] } : {}),
      ...(adminToken !== undefined ? { adminToken } : {}),
      ...(staticDir !== undefined ? { staticDir } : {}),
      ...(redisUrl !== undefined && redisUrl !== ''
        ? {
            redis: { url: redisUrl, ...(env.PARLEY_REDIS_PREFIX ? { prefix: env.PARLEY_REDIS_PREFIX } : {}) }
          }
        : {}),
      maxConnections: maxConnections as number,
      maxConnectionsPerIp: maxPerIp as number,
      ...(trustProxy.length > 0 ? { trustProxy } : {}),
      ...(historyDays !== undefined ? { historyDays: historyDays as number } : {}),
      ...(historyMax !== undefined ? { historyMax: historyMax as number } : {}),
      ...(tls ? { tls } : {}),
      mdns: !values['no-mdns'],
      ...(Object.keys(fileLimits).length > 0 ? { fileLimits } : {})
    }
  }
}
