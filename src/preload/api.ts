/**
 * Builds `window.parley` from the contract in src/shared/ipc.ts. The transport is the only thing
 * that differs between the real preload (ipcRenderer) and the bridge harness in e2e/ (a
 * Playwright binding): the methods, validation and error handling here are the same code.
 */
import { z } from 'zod'
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  IpcError,
  eventChannels,
  invokeChannels,
  ipcErrorPayloadSchema,
  methodPath,
  type EventChannel,
  type InvokeChannel,
  type ParleyApi
} from '../shared/ipc'

export interface IpcTransport {
  /** Resolves with main's `{result} | {error}` envelope. */
  invoke(channel: InvokeChannel, request: unknown): Promise<unknown>
  /** Calls `listener` with each payload of `channel`; returns the unsubscribe. */
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void
}

const envelopeSchema = z.union([
  z.object({ error: ipcErrorPayloadSchema }),
  z.object({ result: z.unknown() })
])

async function call(transport: IpcTransport, channel: InvokeChannel, request: unknown): Promise<unknown> {
  let raw: unknown
  try {
    raw = await transport.invoke(channel, request)
  } catch (error) {
    // Only reachable when main has no handler or the IPC itself broke: say so plainly instead of
    // Electron's "Error invoking remote method".
    throw new IpcError(
      'internal',
      `The app could not handle ${channel}: ${(error as Error)?.message ?? error}`
    )
  }
  const envelope = envelopeSchema.safeParse(raw)
  if (!envelope.success) throw new IpcError('internal', `The app sent a malformed reply to ${channel}.`)
  if ('error' in envelope.data) {
    throw new IpcError(envelope.data.error.code, envelope.data.error.message)
  }
  const result = (invokeChannels[channel].response as z.ZodType).safeParse(envelope.data.result)
  if (!result.success)
    throw new IpcError('internal', `The app's reply to ${channel} does not match the contract.`)
  return result.data
}

export function createParleyApi(transport: IpcTransport): ParleyApi {
  const api: Record<string, Record<string, unknown>> = {}
  const domain = (name: string) => (api[name] ??= {})
  for (const channel of INVOKE_CHANNELS) {
    const [d, method] = methodPath(channel, 'invoke')
    domain(d)[method] = (request?: unknown) => call(transport, channel, request)
  }
  for (const channel of EVENT_CHANNELS) {
    const [d, method] = methodPath(channel, 'event')
    const schema = eventChannels[channel] as z.ZodType
    domain(d)[method] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') throw new TypeError(`${method} needs a listener function.`)
      return transport.subscribe(channel, (payload) => {
        const parsed = schema.safeParse(payload)
        // A payload off the contract is dropped rather than handed to the UI half-typed.
        if (parsed.success) listener(parsed.data)
      })
    }
  }
  for (const methods of Object.values(api)) Object.freeze(methods)
  return Object.freeze(api) as unknown as ParleyApi
}
