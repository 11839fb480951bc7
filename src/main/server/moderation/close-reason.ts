/**
 * The reason of a kick or ban as it goes in the close frame, which has 123 bytes for it: the
 * prefix, then as much of the moderator's reason as fits.
 */
const CLOSE_REASON_BYTES = 123

export function closeReason(prefix: string, reason: string): string {
  let text = reason.trim() === '' ? `${prefix}.` : `${prefix}: ${reason.trim()}`
  while (Buffer.byteLength(text) > CLOSE_REASON_BYTES) text = [...text].slice(0, -2).join('') + '…'
  return text
}
