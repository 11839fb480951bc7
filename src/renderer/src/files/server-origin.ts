/**
 * The HTTP origin of the chat server a WebSocket URL points at: uploads go there and a file's
 * `url` (relative, see shared/file-info.ts) is resolved against it.
 */
export function httpOrigin(wsUrl: string): string | null {
  try {
    const url = new URL(wsUrl)
    const scheme = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : null
    return scheme ? `${scheme}//${url.host}` : null
  } catch {
    return null
  }
}

export function absoluteFileUrl(origin: string, fileUrl: string): string {
  return new URL(fileUrl, origin).href
}
