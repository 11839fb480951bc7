/**
 * The only module that imports Electron's ipcRenderer (enforced by eslint.config.js). It exposes
 * just a transport for api.ts: never the raw ipcRenderer, which would let the page send anything.
 */
import { ipcRenderer, type IpcRendererEvent } from 'electron'
import type { IpcTransport } from './api'

export const ipcRendererTransport: IpcTransport = {
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
  subscribe(channel, listener) {
    // Drop the event object: it carries `sender`, which must not reach the page.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
}
