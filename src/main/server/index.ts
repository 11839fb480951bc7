/**
 * The Parley chat server's public API. The headless CLI (cli.ts), the Electron host (src/main) and
 * the benchmarks all build on exactly this; everything else in this folder is internal.
 * Plain Node: this folder must never import `electron`. Only re-exports: internal files import
 * from the module that defines a thing, never from here.
 */
export type {
  ChatServer,
  ChatServerOptions,
  ActiveFaults,
  ConnectionInfo,
  Fault,
  FaultResult,
  FaultTargetRef,
  ListenResult,
  ServerState,
  ServerStats
} from './server-types'
export { createChatServer } from './chat-server'
export { lanUrls } from './lan-urls'
export { fingerprintOf, formatFingerprint, normalizeFingerprint, type TlsSource } from './tls-identity'
