/** The part of the browser's WebSocket the engine uses; tests pass a fake with the same shape. */
export interface WebSocketLike {
  readonly readyState: number
  readonly protocol: string
  readonly extensions: string
  readonly bufferedAmount: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null
  onerror: ((event: unknown) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketFactory = new (url: string, protocols?: string | string[]) => WebSocketLike

/** Whether the OS reports a network; the browser's navigator.onLine and online/offline events. */
export interface NetworkStatus {
  online(): boolean
  subscribe(listener: (online: boolean) => void): () => void
}

/** WebSocket.OPEN; the constant is not on the fake, and the browser global is absent in Node. */
export const OPEN = 1
