/**
 * Small fakes of the Electron objects the main-process modules take as parameters. Electron has
 * no binary on these machines, so these stand in for it (and only for it): our own modules run
 * for real against them.
 */
import type { InvokeEventLike, IpcMainLike, SenderFrameLike, WebContentsLike } from '../ipc-router'

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
