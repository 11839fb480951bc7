/**
 * Every way the file store refuses an upload: an HTTP status, a machine code, and a sentence the
 * uploader can act on.
 */

export type FileError = 'too_large' | 'quota_exceeded' | 'storage_full' | 'upload_failed'

export interface FileRefusal {
  ok: false
  status: 400 | 413 | 500 | 507
  error: FileError
  message: string
}

export function tooLarge(maxFileBytes: number): FileRefusal {
  return {
    ok: false,
    status: 413,
    error: 'too_large',
    message: `Files can be at most ${mib(maxFileBytes)} on this server.`
  }
}

export function quotaExceeded(userQuotaBytes: number): FileRefusal {
  return {
    ok: false,
    status: 507,
    error: 'quota_exceeded',
    message: `Your uploads would pass your ${mib(userQuotaBytes)} quota on this server.`
  }
}

export function storageFull(): FileRefusal {
  return {
    ok: false,
    status: 507,
    error: 'storage_full',
    message: "The server's space for files is used up; ask its host to make room."
  }
}

export function uploadFailed(): FileRefusal {
  return {
    ok: false,
    status: 500,
    error: 'upload_failed',
    message: 'The upload was cut off or could not be written; try again.'
  }
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`
}
