/**
 * Main's side of the IPC contract, free of Electron imports so tests drive it with a small fake
 * of ipcMain. src/main/ipc-main.ts binds it to the real ipcMain.
 *
 * Every invoke goes through one wrapper that (1) checks the sender frame, (2) validates the
 * argument with the channel's schema and (3) turns any thrown error into `{error}`, so nothing
 * but `{result} | {error}` ever crosses the bridge.
 */
import { z } from 'zod'
import {
  IpcError,
  invokeChannels,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeParsedRequest,
  type InvokeResponse,
  type IpcErrorPayload,
  type IpcResponse
} from '../shared/ipc'

/** The part of Electron's WebFrameMain the trust check reads. */
export interface SenderFrameLike {
  readonly url: string
  readonly parent: unknown
}
/** The part of Electron's IpcMainInvokeEvent the router reads. */
export interface InvokeEventLike {
  readonly sender: { readonly id: number }
  readonly senderFrame: SenderFrameLike | null
}
/** The part of Electron's ipcMain the router uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}
/** The part of Electron's WebContents that `send` uses. */
export interface WebContentsLike {
  readonly id: number
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
}

export interface HandlerContext {
  /** The webContents id of the window that asked. */
  senderId: number
}

export type InvokeHandlers = {
  [C in InvokeChannel]: (
    request: InvokeParsedRequest<C>,
    context: HandlerContext
  ) => InvokeResponse<C> | Promise<InvokeResponse<C>>
}

export interface SenderPolicy {
  /** True for the app's own windows. */
  isTrustedWebContents(id: number): boolean
  /** True for the app's own pages: parley://app/… in production, the dev server in development. */
  isTrustedUrl(url: string): boolean
}

export interface IpcLogger {
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

/**
 * Explains why a sender is refused, or null when it may call. Only the top frame of one of our
 * windows on our own URL passes: an iframe (even same-origin) or a navigated-away page does not
 * (Electron security checklist, item 17: validate the sender of all IPC messages).
 */
export function checkSender(event: InvokeEventLike, policy: SenderPolicy): string | null {
  const frame = event.senderFrame
  if (!frame) return 'The sending frame is gone (navigated or destroyed).'
  if (frame.parent) return 'Only the top frame may call the app.'
  if (!policy.isTrustedWebContents(event.sender.id)) return 'The sender is not one of the app’s windows.'
  if (!policy.isTrustedUrl(frame.url)) return `The page ${safeOrigin(frame.url)} may not call the app.`
  return null
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'with an unparsable URL'
  }
}

function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ')
}

export function toErrorPayload(error: unknown): IpcErrorPayload {
  if (error instanceof IpcError) return { name: error.name, message: error.message, code: error.code }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return { name: error.name, message: error.message, code: typeof code === 'string' ? code : 'internal' }
  }
  return { name: 'Error', message: String(error), code: 'internal' }
}

/**
 * Registers every handler of the contract (the type demands one per channel) and returns the
 * function that removes them all.
 */
export function registerHandlers(
  ipc: IpcMainLike,
  handlers: InvokeHandlers,
  policy: SenderPolicy,
  logger?: IpcLogger
): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[]
  for (const channel of channels) {
    const schema = invokeChannels[channel].request as z.ZodType
    const handler = handlers[channel] as (request: unknown, context: HandlerContext) => unknown
    ipc.handle(channel, async (event, ...args): Promise<IpcResponse<unknown>> => {
      const refusal = checkSender(event, policy)
      if (refusal) {
        logger?.warn({ channel, url: event.senderFrame?.url }, 'refused IPC from untrusted sender')
        return { error: { name: 'IpcError', message: refusal, code: 'untrusted_sender' } }
      }
      if (args.length > 1) {
        return {
          error: { name: 'IpcError', message: `${channel} takes one argument.`, code: 'invalid_payload' }
        }
      }
      const parsed = schema.safeParse(args[0])
      if (!parsed.success) {
        return {
          error: {
            name: 'IpcError',
            message: `Invalid ${channel} request: ${describeZodError(parsed.error)}`,
            code: 'invalid_payload'
          }
        }
      }
      try {
        return { result: await handler(parsed.data, { senderId: event.sender.id }) }
      } catch (error) {
        const payload = toErrorPayload(error)
        if (payload.code === 'internal') logger?.error({ channel, err: error }, 'IPC handler failed')
        return { error: payload }
      }
    })
  }
  return () => {
    for (const channel of channels) ipc.removeHandler(channel)
  }
}

/**
 * Sends an event to one window. A window closing mid-stream is normal, so a destroyed
 * webContents is skipped rather than thrown on (Electron would throw "Object has been destroyed").
 * The payload is typed here and validated again by the preload against the same schema.
 */
export function send<C extends EventChannel>(
  webContents: WebContentsLike,
  channel: C,
  payload: EventPayload<C>
): boolean {
  if (webContents.isDestroyed()) return false
  webContents.send(channel, payload)
  return true
}
