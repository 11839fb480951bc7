/**
 * The parts of Electron the app uses, handed to the app's composition as one parameter: index.ts
 * passes the real modules, app-bootstrap.test.ts a fake, so the composition runs under Node.
 */
import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Dialog,
  Notification,
  NotificationConstructorOptions,
  Protocol,
  Screen,
  Session,
  Shell
} from 'electron'

export interface ElectronModules {
  app: Pick<
    App,
    | 'on'
    | 'removeListener'
    | 'quit'
    | 'exit'
    | 'whenReady'
    | 'requestSingleInstanceLock'
    | 'getPath'
    | 'setPath'
    | 'getVersion'
    | 'setBadgeCount'
    | 'isPackaged'
  >
  BrowserWindow: {
    new (options: BrowserWindowConstructorOptions): BrowserWindow
    getAllWindows(): BrowserWindow[]
  }
  Notification: { new (options: NotificationConstructorOptions): Notification; isSupported(): boolean }
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>
  screen: Pick<Screen, 'getAllDisplays'>
  session: { readonly defaultSession: Session }
  shell: Pick<Shell, 'openExternal'>
  dialog: Pick<Dialog, 'showMessageBox'>
}
