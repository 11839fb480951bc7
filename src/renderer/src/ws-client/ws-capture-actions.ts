import { exportSessionFile, importSessionFile } from './session-file'
import type { ConnectionSettings, WsConnectionView } from './ws-connection-view'
import type { Replays } from './ws-replay'
import type { SessionRegistry } from './ws-session-registry'
import { parseProtocols } from './ws-session'

export interface CaptureDeps {
  configOf(id: string): WsConnectionView | undefined
  sessions: SessionRegistry
  replays: Replays
  addConnection(settings: Partial<ConnectionSettings>): string
}

export interface CaptureActions {
  exportSession(id: string): string
  /** Imports a capture as a new connection. Returns a sentence when the file is refused. */
  importSession(text: string): string | null
  /** Sends the connection's captured outgoing frames again, with their spacing. */
  replay(id: string): string | null
  stopReplay(id: string): void
}

/**
 * A connection's conversation as a file (session-file.ts): exported with its facts and frames,
 * imported as a new connection, and replayed against whatever server that connection opens.
 */
export function captureActions({ configOf, sessions, replays, addConnection }: CaptureDeps): CaptureActions {
  return {
    exportSession(id) {
      const c = configOf(id)
      return exportSessionFile({
        name: c?.name ?? '',
        url: c?.url ?? '',
        protocols: parseProtocols(c?.protocols ?? ''),
        handshake: c?.handshake ?? null,
        timeline: c?.timeline ?? [],
        closes: c?.closes ?? [],
        frames: sessions.get(id)?.frames.toArray() ?? []
      })
    },
    importSession(text) {
      const result = importSessionFile(text)
      if (!result.ok) return result.message
      const { connection, frames } = result.file
      const id = addConnection({
        name: `${connection.name || 'Session'} (imported)`,
        url: connection.url,
        protocols: connection.protocols.join(', ')
      })
      replays.rememberImport(id, frames)
      sessions.ensure(id).loadFrames(frames)
      return null
    },
    replay: (id) => replays.start(id, sessions.get(id)),
    stopReplay: (id) => replays.stop(id)
  }
}
