/**
 * When two nicks are the same person's name as far as a reader can tell. "alice", "Alice",
 * "ａｌｉｃｅ" (full width) and "аlice" (Cyrillic а) look alike in a member list, so they share one
 * key: Unicode NFKC, then lower case, then the UTS #39 confusables skeleton (NFD, each character
 * mapped to its prototype from Unicode's confusables.txt, NFD again), lower-cased once more because
 * some prototypes are capitals ("0" → "O"). The mapping comes from `unhomoglyph`, which is generated
 * from confusables.txt; invisible characters never get this far (the protocol's nick rule refuses
 * them), so "alice" followed by U+034F cannot pass as a different name either.
 */
import unhomoglyph from 'unhomoglyph'

export function nickKey(nick: string): string {
  const folded = nick.normalize('NFKC').toLowerCase()
  return unhomoglyph(folded.normalize('NFD')).normalize('NFD').toLowerCase()
}

/** Words no user may take, whatever the server is called: they would pass for the server itself. */
export const RESERVED_NICKS: readonly string[] = ['server', 'admin', 'system']

/** A nick that would pass for the server: its name, or one of the reserved words, by the key above. */
export function isReservedNick(nick: string, serverName: string): boolean {
  const key = nickKey(nick)
  return key === nickKey(serverName) || RESERVED_NICKS.some((word) => nickKey(word) === key)
}
