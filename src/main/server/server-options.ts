/**
 * The chat server's options at the door: defaults merged first, then every invalid value
 * rejected at once with one TypeError that names them all (the `ws` library's discipline).
 */
import { hostname } from 'node:os'
import { pino, type Logger } from 'pino'
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../shared/file-info'
import { DEFAULT_LIMITS, type Limits } from '../../shared/protocol'
import type { RetentionPolicy } from './history-retention'
import type { ChatServerOptions } from './server-types'
import { parseProxyTrust, type ProxyTrust } from './trusted-proxy'

export type ServerConfig = ReturnType<typeof resolveOptions>

export function resolveOptions(options: ChatServerOptions) {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
  const fileLimits: FileLimits = { ...DEFAULT_FILE_LIMITS, ...options.fileLimits }
  const resolved = {
    fileLimits,
    dataDir: options.dataDir,
    port: options.port ?? 8080,
    host: options.host ?? '0.0.0.0',
    name: options.name ?? hostname(),
    limits,
    maxConnections: options.maxConnections ?? 5000,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? 100,
    maxRooms: options.maxRooms ?? 1000,
    maxPendingConnections: options.maxPendingConnections ?? 512,
    maxPendingConnectionsPerIp: options.maxPendingConnectionsPerIp ?? 128,
    pingIntervalMs: options.pingIntervalMs ?? 15_000,
    retentionIntervalMs: options.retentionIntervalMs ?? 600_000
  }
  const problems: string[] = []
  let proxyTrust: ProxyTrust = parseProxyTrust(undefined)
  try {
    proxyTrust = parseProxyTrust(options.trustProxy)
  } catch (error) {
    problems.push((error as Error).message.replace(/\.$/, ''))
  }
  if (typeof resolved.dataDir !== 'string' || resolved.dataDir === '') problems.push('dataDir is required')
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push('port must be an integer from 0 to 65535')
  }
  for (const [key, value] of Object.entries({
    maxConnections: resolved.maxConnections,
    maxConnectionsPerIp: resolved.maxConnectionsPerIp,
    maxRooms: resolved.maxRooms,
    maxPendingConnections: resolved.maxPendingConnections,
    maxPendingConnectionsPerIp: resolved.maxPendingConnectionsPerIp,
    pingIntervalMs: resolved.pingIntervalMs,
    retentionIntervalMs: resolved.retentionIntervalMs,
    ...limits,
    ...fileLimits
  })) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      problems.push(`${key} must be a positive number`)
    }
  }
  for (const [key, value] of Object.entries({
    historyDays: options.historyDays,
    historyMax: options.historyMax
  })) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      problems.push(`${key} must be a positive integer`)
  }
  const retention: RetentionPolicy = {
    ...(options.historyDays !== undefined ? { maxAgeDays: options.historyDays } : {}),
    ...(options.historyMax !== undefined ? { maxPerRoom: options.historyMax } : {})
  }
  if (options.password === '') problems.push('password must not be empty (leave it out for no password)')
  if (options.adminToken !== undefined && options.adminToken.length < 8) {
    problems.push('adminToken must be at least 8 characters')
  }
  if (options.tls && 'certFile' in options.tls && (!options.tls.certFile || !options.tls.keyFile)) {
    problems.push('tls needs both certFile and keyFile')
  }
  if (problems.length > 0) throw new TypeError(`Invalid chat server options: ${problems.join('; ')}.`)
  return { ...resolved, proxyTrust, retention }
}

export function defaultLogger(): Logger {
  return pino({ name: 'parley-server', level: process.env.VITEST ? 'silent' : 'info' })
}
