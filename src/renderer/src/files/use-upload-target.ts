import { useStore } from '../store'
import { loadSession } from '../store/session-memory'
import { httpOrigin } from './server-origin'
import type { UploadTarget } from './upload-request'

/**
 * Where this person's uploads go: the connected server's HTTP origin and their session token
 * (the one `welcome` gave, kept per tab by session-memory). Null before the first welcome.
 */
export function useUploadTarget(): UploadTarget | null {
  const url = useStore((s) => s.url)
  const nick = useStore((s) => s.nick)
  // Re-read after every welcome: a new session brings a new token.
  useStore((s) => s.me?.id)
  if (!url || !nick) return null
  const origin = httpOrigin(url)
  const token = loadSession(url, nick)?.token
  return origin && token ? { origin, token } : null
}

/** The server's HTTP origin, for resolving a file's relative url. */
export function useServerOrigin(): string | null {
  const url = useStore((s) => s.url)
  return url ? httpOrigin(url) : null
}
