/**
 * A stored file as clients see it: the `POST /api/files` answer and, once attached, an entry of a
 * message's `files`. The `url` is a capability (it holds the unguessable id) relative to the
 * server's HTTP origin, so the web client and the desktop app resolve it against the server they
 * are connected to.
 */
import { z } from 'zod'

/** The raster formats served inline (and shown as thumbnails); anything else is a download. */
export const RASTER_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const
export type RasterType = (typeof RASTER_TYPES)[number]

export const DEFAULT_FILE_LIMITS = {
  /** Largest upload, bytes; a bigger one gets 413. */
  maxFileBytes: 25 * 1024 * 1024,
  /** What one user's live uploads may add up to, bytes; beyond it 507. */
  userQuotaBytes: 250 * 1024 * 1024,
  /** What every stored file may add up to on disk (each distinct content once), bytes; beyond it 507. */
  totalBytes: 5 * 1024 * 1024 * 1024
} as const
export type FileLimits = { -readonly [K in keyof typeof DEFAULT_FILE_LIMITS]: number }

/** Files one `send` or `dm` may carry. */
export const MAX_FILES_PER_MESSAGE = 10

/** 128 random bits, base64url (22 characters). */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/

export const fileInfoSchema = z.object({
  id: z.string().regex(FILE_ID_PATTERN),
  name: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
  type: z.string().min(1).max(255),
  url: z.string().min(1)
})
export type FileInfo = z.infer<typeof fileInfoSchema>

export function isRasterType(type: string): type is RasterType {
  return (RASTER_TYPES as readonly string[]).includes(type)
}

export function fileUrl(id: string): string {
  return `/files/${id}`
}
