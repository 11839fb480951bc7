/**
 * Decides whether stored bytes are a plain raster image by their magic numbers. The client's
 * Content-Type is a claim, and an HTML page or an SVG (which can run script) declared as
 * image/png must still never be served inline from the server's origin.
 */
import type { RasterType } from '../../../shared/file-info'

/** Bytes needed to tell every format below apart. */
export const SNIFF_BYTES = 12

export function sniffRaster(head: Uint8Array): RasterType | null {
  const at = (offset: number, bytes: number[]) => bytes.every((byte, i) => head[offset + i] === byte)
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  // "GIF87a" / "GIF89a"
  if (at(0, [0x47, 0x49, 0x46, 0x38]) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) {
    return 'image/gif'
  }
  // "RIFF" <size> "WEBP"
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp'
  return null
}
