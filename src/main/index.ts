/**
 * Electron main entry: hands the real Electron modules to the app's composition
 * (app-bootstrap.ts, tested under Node against a fake of Electron). Nothing else lives here.
 */
import { join } from 'node:path'
import { BrowserWindow, Notification, app, dialog, protocol, screen, session, shell } from 'electron'
import { pino } from 'pino'
import { createChatServer } from './server/index'
import { startApp } from './app-bootstrap'
import { registerIpcHandlers } from './ipc-main'

startApp({
  electron: { app, BrowserWindow, Notification, dialog, protocol, screen, session, shell },
  registerIpc: registerIpcHandlers,
  createServer: createChatServer,
  outDir: join(import.meta.dirname, '..'),
  env: process.env,
  logger: pino({ level: process.env.PARLEY_LOG_LEVEL ?? 'info' })
})
