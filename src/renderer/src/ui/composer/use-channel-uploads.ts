import type { FileInfo } from '../../../../shared/file-info'
import { useUploads } from '../../files/upload-store'
import { useUploadTarget } from '../../files/use-upload-target'
import type { ChannelKey } from '../../store/channel-log'

export interface ChannelUploads {
  /** Whether files can be attached: only once connected, when there is a server to take them. */
  canAttach: boolean
  /** Uploaded and waiting for the next message. */
  readyCount: number
  attach(files: File[]): void
  /** Hands the ready files to `post`, then clears them from the tray. */
  sendReady(post: (files: FileInfo[]) => void): void
}

/** The composer's side of the upload tray (files/upload-store.ts) for one channel. */
export function useChannelUploads(channel: ChannelKey): ChannelUploads {
  const addUploads = useUploads((s) => s.add)
  const readyCount = useUploads(
    (s) => s.uploads.filter((u) => u.channel === channel && u.status === 'ready').length
  )
  const target = useUploadTarget()
  return {
    canAttach: !!target,
    readyCount,
    attach(files) {
      if (target && files.length > 0) addUploads(channel, files, target)
    },
    sendReady(post) {
      const uploads = useUploads.getState()
      // Only what finished uploading goes; an upload still running waits in the tray for the next one.
      post(uploads.readyIn(channel))
      uploads.sent(channel)
    }
  }
}
