import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares secrets in constant time. Both sides are hashed first so the comparison never
 * leaks the secret's length (timingSafeEqual itself requires equal lengths).
 */
export function createSecretCheck(secret: string): (candidate: string | undefined) => boolean {
  const expected = createHash('sha256').update(secret).digest()
  return (candidate) => {
    const actual = createHash('sha256')
      .update(candidate ?? '')
      .digest()
    return timingSafeEqual(expected, actual) && candidate !== undefined
  }
}
