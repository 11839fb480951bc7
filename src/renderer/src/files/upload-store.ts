/**
 * Uploads in progress and uploaded files waiting to be sent, per channel. Its own small store,
 * beside the app store: uploads are HTTP work that outlives no connection and shares nothing
 * with the engine's event flow, and the composer is the only reader.
 */
import { create } from 'zustand'
import { MAX_FILES_PER_MESSAGE, type FileInfo } from '../../../shared/file-info'
import { useStore } from '../store'
import type { ChannelKey } from '../store/channel-log'
import { startUpload, type UploadRequest, type UploadTarget } from './upload-request'

export interface Upload {
  /** Local key (not the server's id, which only exists once it is stored). */
  key: string
  channel: ChannelKey
  name: string
  size: number
  loaded: number
  status: 'uploading' | 'ready' | 'failed'
  /** Why it failed, a sentence from the server or about the connection. */
  error?: string
  file?: FileInfo
}

export interface UploadState {
  uploads: Upload[]
  /** Starts uploading each file for `channel`; refuses past the per-message number. */
  add(channel: ChannelKey, files: readonly File[], target: UploadTarget): void
  /** Aborts an upload in flight, or takes back a finished or failed one. */
  remove(key: string): void
  /** The files ready to go with the next message in `channel`. */
  readyIn(channel: ChannelKey): FileInfo[]
  /** They went out with a message: clear them from the tray. */
  sent(channel: ChannelKey): void
  reset(): void
}

let nextKey = 0

export function createUploadStore(start: typeof startUpload = startUpload) {
  const requests = new Map<string, UploadRequest>()
  return create<UploadState>()((set, get) => {
    const patch = (key: string, change: Partial<Upload>) =>
      set((state) => ({ uploads: state.uploads.map((u) => (u.key === key ? { ...u, ...change } : u)) }))

    return {
      uploads: [],
      add(channel, files, target) {
        const room = MAX_FILES_PER_MESSAGE - get().uploads.filter((u) => u.channel === channel).length
        files.forEach((file, i) => {
          const key = `u${++nextKey}`
          const upload: Upload = {
            key,
            channel,
            name: file.name || 'file',
            size: file.size,
            loaded: 0,
            status: 'uploading'
          }
          if (i >= room) {
            set((state) => ({
              uploads: [
                ...state.uploads,
                {
                  ...upload,
                  status: 'failed',
                  error: `At most ${MAX_FILES_PER_MESSAGE} files go with one message.`
                }
              ]
            }))
            return
          }
          set((state) => ({ uploads: [...state.uploads, upload] }))
          const request = start(target, file, (loaded) => patch(key, { loaded }))
          requests.set(key, request)
          void request.done.then((outcome) => {
            requests.delete(key)
            if (!get().uploads.some((u) => u.key === key)) return
            if (outcome.ok) patch(key, { status: 'ready', loaded: outcome.file.size, file: outcome.file })
            else if (outcome.code === 'cancelled') get().remove(key)
            else patch(key, { status: 'failed', error: outcome.message })
          })
        })
      },
      remove(key) {
        requests.get(key)?.cancel()
        requests.delete(key)
        set((state) => ({ uploads: state.uploads.filter((u) => u.key !== key) }))
      },
      readyIn: (channel) =>
        get()
          .uploads.filter((u) => u.channel === channel && u.status === 'ready' && u.file)
          .map((u) => u.file!),
      sent(channel) {
        set((state) => ({
          uploads: state.uploads.filter((u) => !(u.channel === channel && u.status === 'ready'))
        }))
      },
      reset() {
        for (const request of requests.values()) request.cancel()
        requests.clear()
        set({ uploads: [] })
      }
    }
  })
}

export const useUploads = createUploadStore()

// Uploads belong to one server and session: signing out or connecting elsewhere drops them.
let uploadsFor: string | null = null
useStore.subscribe((state) => {
  if (state.url === uploadsFor) return
  uploadsFor = state.url
  useUploads.getState().reset()
})
