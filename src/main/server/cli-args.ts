/**
 * Command-line flags of the headless server (`npm run serve`, `parley-server`), parsed with
 * node:util parseArgs into ChatServerOptions. Kept apart from cli.ts so it can be tested
 * without starting anything.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ChatServerOptions } from './server-types'

export const USAGE = `Usage: parley-server [options]

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
  --max-connections N   total open sockets before refusing with 503 (default 5000)
  --max-per-ip N        open sockets per address before refusing with 503 (default 100)
  --log-level LEVEL     fatal, error, warn, info, debug, trace or silent (default info)
  -h, --help            show this help
`

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'error'; message: string }
  | { kind: 'serve'; options: ChatServerOptions; logLevel: LogLevel }

function integer(name: string, value: string | undefined, min: number, max: number): number | string {
  if (value === undefined) return Number.NaN
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    return `--${name} must be a whole number from ${min} to ${max}.`
  return n
}

/** `defaultStaticDir`: the built renderer next to the built CLI (out/renderer), when it exists. */
export function parseCliArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  defaultStaticDir: string | undefined
): CliCommand {
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
        data: { type: 'string', default: './parley-data' },
        'allow-origin': { type: 'string', multiple: true },
        'admin-token': { type: 'string' },
        static: { type: 'string' },
        'no-static': { type: 'boolean', default: false },
        'max-connections': { type: 'string', default: '5000' },
        'max-per-ip': { type: 'string', default: '100' },
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
  for (const value of [port, maxConnections, maxPerIp]) {
    if (typeof value === 'string') return { kind: 'error', message: value }
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
      dataDir: resolve(values.data ?? './parley-data'),
      port: port as number,
      host: values.host ?? '0.0.0.0',
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(values['allow-origin'] ? { allowOrigins: values['allow-origin'] } : {}),
      ...(adminToken !== undefined ? { adminToken } : {}),
      ...(staticDir !== undefined ? { staticDir } : {}),
      maxConnections: maxConnections as number,
      maxConnectionsPerIp: maxPerIp as number
    }
  }
}
