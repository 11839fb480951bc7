/**
 * One `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14). Only a single range
 * is served as 206; a list of ranges is answered with the whole file, which the RFC allows and
 * which spares a multipart encoder nobody here needs (media players and resumed downloads ask
 * for one range).
 */
export type RangeAnswer =
  { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' }

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' }
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // Not a single byte range (another unit, several ranges, garbage): ignore it, as the RFC says.
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' }
  const [, first = '', last = ''] = match
  if (first === '') {
    // "-N": the last N bytes.
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (start >= size) return { kind: 'unsatisfiable' }
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (end < start) return { kind: 'whole' }
  return { kind: 'part', start, end }
}
