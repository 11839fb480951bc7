/**
 * Headless server entry (`npm run serve`, `parley-server`): parses flags, starts the server,
 * prints where people can reach it, and stops gracefully on SIGINT/SIGTERM (every client gets
 * 1001, queued messages are committed) before exiting 0.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { parseCliArgs, USAGE } from './cli-args'
import { nodeCanRunServer, nodeTooOldLine } from './node-support'

/**
 * node:sqlite prints "ExperimentalWarning: SQLite is an experimental feature" on load, which
 * reads like a fault to someone starting a server. Drop that one warning, print the rest.
 */
function quietSqliteWarning(): void {
  process.removeAllListeners('warning')
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return
    process.stderr.write(`${warning.name}: ${warning.message}\n`)
  })
}

/** A hard stop if graceful shutdown hangs: the issue promises an exit within 5 seconds. */
const SHUTDOWN_DEADLINE_MS = 4500

async function main(): Promise<void> {
  if (!nodeCanRunServer(process.versions.node)) {
    process.stderr.write(`${nodeTooOldLine(process.versions.node)}\n`)
    process.exitCode = 1
    return
  }
  // Built as out/main/cli.js; the renderer build sits beside it in out/renderer.
  const here = dirname(fileURLToPath(import.meta.url))
  const command = parseCliArgs(process.argv.slice(2), process.env, join(here, '..', 'renderer'))
  if (command.kind === 'help') {
    process.stdout.write(USAGE)
    return
  }
  if (command.kind === 'error') {
    process.stderr.write(`parley-server: ${command.message}\n\n${USAGE}`)
    process.exitCode = 2
    return
  }
  quietSqliteWarning()
  if (command.kind === 'backup') {
    await backup(command.dataDir, command.file)
    return
  }
  // Loaded after the warning filter is in place (a static import would load node:sqlite first).
  const { createChatServer, formatFingerprint } = await import('./index')
  const logger = pino({ name: 'parley-server', level: command.logLevel })
  const server = createChatServer({ ...command.options, logger })
  let address
  try {
    address = await server.listen()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const port = command.options.port
    const message =
      code === 'EADDRINUSE'
        ? `port ${port} is already in use; pick another with --port.`
        : code === 'EACCES'
          ? `not allowed to listen on port ${port}; use a port above 1023.`
          : (error as Error).message
    process.stderr.write(`parley-server: ${message}\n`)
    process.exitCode = 1
    return
  }
  const lines = [
    `Parley server "${server.stats().name}" is listening. Connect at:`,
    ...address.urls.map((url) => `  ${url}`),
    ...(command.options.staticDir
      ? [
          'Web client:',
          ...address.urls.map((url) => `  ${url.replace(/^ws(s?):/, 'http$1:').replace(/\/ws$/, '/')}`)
        ]
      : []),
    ...(address.fingerprint
      ? [
          // Said at start so the operator can read it out; clients compare it on first connect.
          `TLS certificate SHA-256 fingerprint: ${address.fingerprint}`,
          `  (${formatFingerprint(address.fingerprint)})`
        ]
      : []),
    address.announced
      ? 'Announced on the local network (mDNS _parley._tcp); --no-mdns turns that off.'
      : command.options.mdns
        ? 'Not announced on the local network (bound to a loopback address).'
        : 'Not announced on the local network (--no-mdns).',
    command.options.redis
      ? `History: Redis at ${command.options.redis.url.replace(/\/\/[^@/]*@/, '//')} (node ${server.stats().cluster?.node ?? '?'})`
      : `History: ${command.options.dataDir}`,
    'Press Ctrl+C to stop.'
  ]
  process.stdout.write(`${lines.join('\n')}\n`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    setTimeout(() => {
      logger.error('graceful shutdown took too long; exiting')
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS).unref()
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed')
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

async function backup(dataDir: string, file: string): Promise<void> {
  const { backupDatabase } = await import('./database-backup')
  try {
    const result = backupDatabase(dataDir, file)
    process.stdout.write(
      `Backed up ${result.messages} messages and ${result.dms} direct messages to ${result.file} (${Math.ceil(result.bytes / 1024)} KB).\n` +
        `Restore (docs/deploy.md): stop the server, move parley.sqlite, parley.sqlite-wal and parley.sqlite-shm out of ${dataDir}, copy this file there as parley.sqlite, start the server.\n`
    )
  } catch (error) {
    process.stderr.write(`parley-server backup: ${(error as Error).message}\n`)
    process.exitCode = 1
  }
}

void main()
