/**
 * The harness's preload: the real createParleyApi from src/preload/api.ts over a stand-in for
 * ipcRenderer. Invokes go to `window.__parleyInvoke`, a Playwright binding that calls main's real
 * handlers in the test process; events arrive through `window.__parleyEmit`, which the harness
 * calls for every webContents.send. Bundled to an IIFE and added with page.addInitScript.
 *
 * What differs from Electron: there is no context isolation here (the API lives in the page's
 * own world), so this checks the contract and the UI, not contextBridge's cloning.
 */
import { createParleyApi, type IpcTransport } from '../../src/preload/api'

/** The page's globals this script uses (typed here: the e2e tsconfig has no DOM lib). */
export interface HarnessGlobals {
  __parleyInvoke?: (channel: string, request: unknown) => Promise<unknown>
  __parleyEmit?: (channel: string, payload: unknown) => void
  parley?: unknown
}
const page = globalThis as unknown as HarnessGlobals

const subscribers = new Map<string, Set<(payload: unknown) => void>>()

const transport: IpcTransport = {
  invoke(channel, request) {
    const binding = page.__parleyInvoke
    if (!binding) return Promise.reject(new Error('the harness binding is missing'))
    return binding(channel, request)
  },
  subscribe(channel, listener) {
    const set = subscribers.get(channel) ?? new Set()
    subscribers.set(channel, set)
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }
}

page.__parleyEmit = (channel, payload) => {
  for (const listener of subscribers.get(channel) ?? []) listener(payload)
}
page.parley = createParleyApi(transport)
