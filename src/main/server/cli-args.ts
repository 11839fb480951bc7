/**
 * Command-line flags of the headless server (`npm run serve`, `parley-server`), parsed with
 * node:util parseArgs into ChatServerOptions. Kept apart from cli.ts so it can be tested
 * without starting anything. The flags are declared once in tables (what parseArgs takes, the
 * whole-number ranges); a flag with a rule of its own has a reader, and the readers run in a
 * fixed order, so the first mistake on a command line is the one reported.
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
  --reclaim-after N     after N connections opened or closed, give memory back to the system once
                        the server is quiet (default 500; 0 never)
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

const DEFAULT_DATA_DIR = './parley-data'

/** The serve command's flags, as node:util parseArgs takes them. */
const SERVE_FLAGS = {
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
  'reclaim-after': { type: 'string' },
  tls: { type: 'boolean', default: false },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-mdns': { type: 'boolean', default: false },
  'log-level': { type: 'string', default: 'info' },
  help: { type: 'boolean', short: 'h', default: false }
} as const

/** Whole-number flags: the range each takes and the option it sets (unset when not given). */
const WHOLE_NUMBER_FLAGS = [
  ['port', 0, 65535, 'port'],
  ['max-connections', 1, 1_000_000, 'maxConnections'],
  ['max-per-ip', 1, 1_000_000, 'maxConnectionsPerIp'],
  ['history-days', 1, 36_500, 'historyDays'],
  ['history-max', 1, 1_000_000_000, 'historyMax'],
  ['reclaim-after', 0, 1_000_000, 'reclaimAfterChurn']
] as const

/** Byte-count flags: the file limit each sets. */
const FILE_LIMIT_FLAGS = [
  ['max-file-bytes', 'maxFileBytes'],
  ['file-quota-bytes', 'userQuotaBytes'],
  ['files-total-bytes', 'totalBytes']
] as const

function parseServeFlags(argv: string[]) {
  return parseArgs({ args: argv, strict: true, allowPositionals: false, options: SERVE_FLAGS }).values
}
type ServeFlags = ReturnType<typeof parseServeFlags>
type WholeNumberOption = (typeof WHOLE_NUMBER_FLAGS)[number][3]
type FileLimits = NonNullable<ChatServerOptions['fileLimits']>

/** A flag's value is wrong; the message names the flag and says what it takes. */
class FlagError extends Error {}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FlagError(`--${flag} must be a whole number from ${min} to ${max}.`)
  }
  return n
}

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
  let flags: ServeFlags
  try {
    flags = parseServeFlags(argv)
  } catch (error) {
    return { kind: 'error', message: (error as Error).message }
  }
  if (flags.help) return { kind: 'help' }
  try {
    return serveCommand(flags, env, defaultStaticDir)
  } catch (error) {
    if (error instanceof FlagError) return { kind: 'error', message: error.message }
    throw error
  }
}

/** The readers in the order their mistakes are reported. */
function serveCommand(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  defaultStaticDir: string | undefined
): CliCommand {
  const numbers = wholeNumbers(flags)
  const fileLimits = fileLimitsOf(flags)
  const logLevel = logLevelOf(flags)
  const secrets = secretsOf(flags, env)
  const trustProxy = trustProxyOf(flags, env)
  const tls = tlsOf(flags)
  const redis = redisOf(flags, env)
  const staticDir = staticDirOf(flags, defaultStaticDir)
  return {
    kind: 'serve',
    logLevel,
    options: {
      dataDir: resolve(flags.data ?? DEFAULT_DATA_DIR),
      host: flags.host ?? '0.0.0.0',
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...secrets,
      ...(flags['allow-origin'] ? { allowOrigins: flags['allow-origin'] } : {}),
      ...(staticDir !== undefined ? { staticDir } : {}),
      ...(redis ? { redis } : {}),
      ...numbers,
      ...(trustProxy.length > 0 ? { trustProxy } : {}),
      ...(tls ? { tls } : {}),
      mdns: !flags['no-mdns'],
      ...(Object.keys(fileLimits).length > 0 ? { fileLimits } : {})
    }
  }
}

function wholeNumbers(flags: ServeFlags): Pick<ChatServerOptions, WholeNumberOption> {
  const options: Pick<ChatServerOptions, WholeNumberOption> = {}
  for (const [flag, min, max, option] of WHOLE_NUMBER_FLAGS) {
    const value = flags[flag]
    if (value !== undefined) options[option] = wholeNumber(flag, value, min, max)
  }
  return options
}

function fileLimitsOf(flags: ServeFlags): FileLimits {
  const limits: FileLimits = {}
  for (const [flag, limit] of FILE_LIMIT_FLAGS) {
    const value = flags[flag]
    if (value !== undefined) limits[limit] = wholeNumber(flag, value, 1, Number.MAX_SAFE_INTEGER)
  }
  return limits
}

function logLevelOf(flags: ServeFlags): LogLevel {
  const logLevel = flags['log-level'] as LogLevel
  if (!LOG_LEVELS.includes(logLevel))
    throw new FlagError(`--log-level must be one of ${LOG_LEVELS.join(', ')}.`)
  return logLevel
}

/** --password and --admin-token, each with its environment variable behind it. */
function secretsOf(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv
): Pick<ChatServerOptions, 'password' | 'adminToken'> {
  const password = flags.password ?? env.PARLEY_PASSWORD
  if (password === '') throw new FlagError('--password must not be empty.')
  const adminToken = flags['admin-token'] ?? env.PARLEY_ADMIN_TOKEN
  if (adminToken !== undefined && adminToken.length < 8) {
    throw new FlagError('--admin-token must be at least 8 characters.')
  }
  return {
    ...(password !== undefined ? { password } : {}),
    ...(adminToken !== undefined ? { adminToken } : {})
  }
}

function trustProxyOf(flags: ServeFlags, env: NodeJS.ProcessEnv): string[] {
  const trustProxy = (flags['trust-proxy'] ?? (env.PARLEY_TRUST_PROXY ? [env.PARLEY_TRUST_PROXY] : []))
    .flatMap((item) => item.split(/[\s,]+/))
    .filter(Boolean)
  try {
    parseProxyTrust(trustProxy)
  } catch (error) {
    throw new FlagError(`--trust-proxy: ${(error as Error).message}`)
  }
  return trustProxy
}

function tlsOf(flags: ServeFlags): ChatServerOptions['tls'] {
  const certFile = flags['tls-cert']
  const keyFile = flags['tls-key']
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new FlagError('--tls-cert and --tls-key go together: give both, or neither.')
  }
  for (const [flag, file] of [
    ['--tls-cert', certFile],
    ['--tls-key', keyFile]
  ] as const) {
    if (file !== undefined && !existsSync(file)) throw new FlagError(`${flag} ${file}: no such file.`)
  }
  if (certFile !== undefined && keyFile !== undefined) {
    return { certFile: resolve(certFile), keyFile: resolve(keyFile) }
  }
  return flags.tls ? { selfSigned: true } : undefined
}

function redisOf(flags: ServeFlags, env: NodeJS.ProcessEnv): ChatServerOptions['redis'] {
  const url = flags.redis ?? env.PARLEY_REDIS_URL
  if (url !== undefined && !/^rediss?:\/\/./.test(url)) {
    throw new FlagError('--redis must be a redis:// (or rediss://) URL.')
  }
  if (url === undefined || url === '') return undefined
  return { url, ...(env.PARLEY_REDIS_PREFIX ? { prefix: env.PARLEY_REDIS_PREFIX } : {}) }
}

/** --static DIR must exist; without it, the built renderer is served when there is one. */
function staticDirOf(flags: ServeFlags, defaultStaticDir: string | undefined): string | undefined {
  if (flags['no-static']) return undefined
  if (flags.static !== undefined) {
    const staticDir = resolve(flags.static)
    if (!existsSync(staticDir)) throw new FlagError(`--static ${flags.static}: no such directory.`)
    return staticDir
  }
  return defaultStaticDir !== undefined && existsSync(defaultStaticDir) ? defaultStaticDir : undefined
}
