/**
 * The only module that imports Electron's ipcMain (enforced by eslint.config.js). It binds the
 * Electron-free router to the real ipcMain; everything it does is tested through ipc-router.ts.
 */
import { ipcMain } from 'electron'
import { registerHandlers, type InvokeHandlers, type IpcLogger, type SenderPolicy } from './ipc-router'

export { send } from './ipc-router'

export function registerIpcHandlers(
  handlers: InvokeHandlers,
  policy: SenderPolicy,
  logger?: IpcLogger
): () => void {
  return registerHandlers(ipcMain, handlers, policy, logger)
}
