import type { ParleyApi } from '../shared/ipc'

declare global {
  interface Window {
    /** The desktop bridge; undefined when the renderer runs as the web client in a browser. */
    parley?: ParleyApi
  }
}

export {}
