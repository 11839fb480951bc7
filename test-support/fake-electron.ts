/**
 * Small fakes of the Electron objects the main-process modules take as parameters. Electron has
 * no binary on these machines, so these stand in for it (and only for it): our own modules run
 * for real against them.
 */
import { EventEmitter } from 'node:events'
import type { InvokeEventLike, IpcMainLike, SenderFrameLike, WebContentsLike } from '../src/main/ipc-router'

type InvokeListener = (event: InvokeEventLike, ...args: unknown[]) => unknown

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeListener>()

  handle(channel: string, listener: InvokeListener): void {
    // Electron throws on a second handler for the same channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }

  /** What ipcRenderer.invoke does: runs the handler, or rejects like Electron when there is none. */
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler)
      throw new Error(
        `Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`
      )
    // Electron structured-clones arguments and results across processes: do the same.
    return structuredClone(await handler(event, ...structuredClone(args)))
  }
}

export class FakeWebContents implements WebContentsLike {
  static nextId = 1
  readonly id = FakeWebContents.nextId++
  destroyed = false
  readonly sent: { channel: string; payload: unknown }[] = []
  readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>()
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null

  isDestroyed(): boolean {
    return this.destroyed
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, payload: structuredClone(args[0]) })
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler
  }

  /** Emits like Electron: returns whether a listener called preventDefault(). */
  emitPreventable(event: string, ...args: unknown[]): boolean {
    let prevented = false
    const electronEvent = { preventDefault: () => (prevented = true) }
    for (const listener of this.listeners.get(event) ?? []) listener(electronEvent, ...args)
    return prevented
  }

  /** The event Electron hands an ipcMain.handle listener for a call from this window. */
  invokeEvent(frame: Partial<SenderFrameLike> & { url: string }): InvokeEventLike {
    return { sender: { id: this.id }, senderFrame: { parent: null, ...frame } }
  }
}

/**
 * What ipcRenderer does for the preload, over the fakes: invoke goes to FakeIpcMain as `contents`
 * on `frameUrl`; events sent to `contents` reach the subscribers. The preload's own
 * createParleyApi runs on top, unchanged.
 */
export function fakeRendererTransport(ipc: FakeIpcMain, contents: FakeWebContents, frameUrl: () => string) {
  const subscribers = new Map<string, Set<(payload: unknown) => void>>()
  const originalSend = contents.send.bind(contents)
  contents.send = (channel: string, ...args: unknown[]) => {
    originalSend(channel, ...args)
    for (const listener of subscribers.get(channel) ?? []) listener(structuredClone(args[0]))
  }
  return {
    invoke: (channel: string, request: unknown) =>
      ipc.invoke(channel, contents.invokeEvent({ url: frameUrl() }), request),
    subscribe(channel: string, listener: (payload: unknown) => void) {
      const set = subscribers.get(channel) ?? new Set()
      subscribers.set(channel, set)
      set.add(listener)
      return () => {
        set.delete(listener)
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The Electron modules app-bootstrap.ts takes: app, BrowserWindow, Notification, protocol,
// screen, session, shell. Each call of createFakeElectron() gives a fresh, independent set.

export interface PreventableEvent {
  defaultPrevented: boolean
  preventDefault(): void
}

function preventable(): PreventableEvent {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    }
  }
  return event
}

export interface FakeWindow extends EventEmitter {
  readonly webContents: FakeWebContents
  readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }
  loadedUrl: string | undefined
  focused: boolean
  minimized: boolean
  visible: boolean
  maximized: boolean
  destroyed: boolean
  readonly flashes: boolean[]
  bounds: { x: number; y: number; width: number; height: number }
  close(): void
}

export interface FakeAppHandle extends EventEmitter {
  isPackaged: boolean
  readonly paths: Map<string, string>
  badge: number
  quitRequests: number
  quitted: boolean
  exitCode: number | undefined
  quit(): void
}

export interface FakeElectron {
  /** Pass as `electron` to startApp (cast: it is a fake of Electron's types). */
  electron: unknown
  app: FakeAppHandle
  windows: FakeWindow[]
  notifications: (EventEmitter & { options: { title?: string; body?: string }; shown: boolean })[]
  /** URLs handed to shell.openExternal. */
  opened: string[]
  /** What protocol.registerSchemesAsPrivileged received. */
  privileged: unknown[]
  protocolHandlers: Map<string, (request: Request) => Promise<Response> | Response>
  sessionHandlers: {
    permissionRequest?: (...args: unknown[]) => void
    permissionCheck?: (...args: unknown[]) => boolean
    headers?: (...args: unknown[]) => void
    certificateVerify?: (request: unknown, callback: (code: number) => void) => void
  }
  /** Every dialog.showMessageBox call (its options); answered from `dialogAnswers`, else button 0. */
  dialogs: { message?: string; detail?: string; buttons?: string[] }[]
  dialogAnswers: number[]
  /** Electron's 'ready'. */
  emitReady(): void
}

export function createFakeElectron(options: {
  lockGranted?: boolean
  isPackaged?: boolean
  userData: string
}): FakeElectron {
  const windows: FakeBrowserWindow[] = []
  const notifications: FakeNotification[] = []
  const opened: string[] = []
  const privileged: unknown[] = []
  const handlers = new Map<string, (request: Request) => Promise<Response> | Response>()
  const sessionHandlers: FakeElectron['sessionHandlers'] = {}
  const dialogs: FakeElectron['dialogs'] = []
  const dialogAnswers: number[] = []
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))

  class FakeApp extends EventEmitter {
    isPackaged = options.isPackaged ?? true
    readonly paths = new Map<string, string>([['userData', options.userData]])
    badge = 0
    quitRequests = 0
    quitted = false
    exitCode: number | undefined
    whenReady = () => ready
    requestSingleInstanceLock = () => options.lockGranted ?? true
    getPath = (name: string) => this.paths.get(name) ?? `/fake/${name}`
    setPath = (name: string, value: string) => void this.paths.set(name, value)
    getVersion = () => '0.1.0-test'
    setBadgeCount = (count: number) => {
      this.badge = count
      return true
    }
    /** Like Electron: 'before-quit' may be prevented; otherwise the app quits. */
    quit = () => {
      this.quitRequests++
      const event = preventable()
      this.emit('before-quit', event)
      if (!event.defaultPrevented) this.quitted = true
    }
    exit = (code = 0) => {
      this.exitCode = code
    }
  }

  class FakeBrowserWindow extends EventEmitter {
    static getAllWindows = () => windows.filter((w) => !w.destroyed)
    readonly webContents = new FakeWebContents()
    loadedUrl: string | undefined
    focused = false
    minimized = false
    visible = false
    maximized = false
    destroyed = false
    readonly flashes: boolean[] = []
    bounds = { x: 0, y: 0, width: 0, height: 0 }
    constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
      super()
      this.bounds = {
        x: (options.x as number | undefined) ?? 100,
        y: (options.y as number | undefined) ?? 100,
        width: options.width as number,
        height: options.height as number
      }
      windows.push(this)
    }
    loadURL = (url: string) => {
      this.loadedUrl = url
      return Promise.resolve()
    }
    isFocused = () => this.focused
    isMinimized = () => this.minimized
    isMaximized = () => this.maximized
    isDestroyed = () => this.destroyed
    restore = () => void (this.minimized = false)
    show = () => void (this.visible = true)
    focus = () => void (this.focused = true)
    maximize = () => void (this.maximized = true)
    flashFrame = (flash: boolean) => void this.flashes.push(flash)
    getNormalBounds = () => ({ ...this.bounds })
    /** What a person closing the window does. */
    close = () => {
      this.emit('close', preventable())
      this.destroyed = true
      this.webContents.destroyed = true
      this.emit('closed')
    }
  }

  class FakeNotification extends EventEmitter {
    static isSupported = () => true
    shown = false
    constructor(readonly options: { title?: string; body?: string }) {
      super()
      notifications.push(this)
    }
    show = () => void (this.shown = true)
  }

  const app = new FakeApp()
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Notification: FakeNotification,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        if (handlers.size > 0) throw new Error('registerSchemesAsPrivileged must run before protocol.handle')
        privileged.push(...schemes)
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
        handlers.set(scheme, handler)
      }
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: (...args: unknown[]) => void) =>
          (sessionHandlers.permissionRequest = handler),
        setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) =>
          (sessionHandlers.permissionCheck = handler),
        webRequest: {
          onHeadersReceived: (handler: (...args: unknown[]) => void) => (sessionHandlers.headers = handler)
        },
        setCertificateVerifyProc: (proc: FakeElectron['sessionHandlers']['certificateVerify']) =>
          (sessionHandlers.certificateVerify = proc)
      }
    },
    dialog: {
      showMessageBox: (...args: unknown[]) => {
        const options = args[args.length - 1] as FakeElectron['dialogs'][number]
        dialogs.push(options)
        return Promise.resolve({ response: dialogAnswers.shift() ?? 0, checkboxChecked: false })
      }
    },
    shell: { openExternal: (url: string) => (opened.push(url), Promise.resolve()) }
  }
  return {
    electron,
    app,
    windows,
    notifications,
    opened,
    privileged,
    protocolHandlers: handlers,
    sessionHandlers,
    dialogs,
    dialogAnswers,
    /** Electron's 'ready'. */
    emitReady: () => markReady()
  }
}
