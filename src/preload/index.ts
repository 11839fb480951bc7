/**
 * The preload: runs sandboxed with context isolation, built as one CommonJS bundle
 * (out/preload/index.cjs) because a sandboxed preload cannot require node_modules.
 * It exposes exactly one object, `window.parley`, built from the typed contract.
 */
import { contextBridge } from 'electron'
import { createParleyApi } from './api'
import { ipcRendererTransport } from './ipc-renderer'

contextBridge.exposeInMainWorld('parley', createParleyApi(ipcRendererTransport))
