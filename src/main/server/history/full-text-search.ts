/**
 * Search over the full-text indexes (messages_fts, dms_fts; see migrateSearch in
 * history-schema.ts): every word, the last as a prefix, newest first.
 */
import type { DatabaseSync } from 'node:sqlite'
import { ftsQuery, toDm, toMessage, type DmRow, type MessageRow } from '../history-schema'
import type { SearchPage, SearchQuery } from '../store'

export function prepareSearch(db: DatabaseSync): (query: SearchQuery) => SearchPage {
  // Newest first through the index itself, so LIMIT ends the walk (see migrateSearch); CROSS JOIN
  // keeps SQLite from starting anywhere else.
  const selectMessages = db.prepare(`
    SELECT m.* FROM messages_fts f
    CROSS JOIN search_rows s ON s.rowid = f.rowid
    CROSS JOIN messages m ON m.room = s.room AND m.id = s.id
    WHERE messages_fts MATCH ? AND s.room IN (SELECT value FROM json_each(?))
    ORDER BY f.rowid DESC LIMIT ?`)
  const selectDms = db.prepare(`
    SELECT d.* FROM dms_fts f JOIN dms d ON d.id = f.rowid
    WHERE dms_fts MATCH ? AND (d.from_id = ? OR d.to_id = ?)
    ORDER BY f.rowid DESC LIMIT ?`)

  return ({ words, rooms, userId, limit }) => {
    if (words.length === 0) return { messages: [], dms: [], hasMore: false }
    const match = ftsQuery(words)
    const rows = selectMessages.all(match, JSON.stringify(rooms), limit + 1) as unknown as MessageRow[]
    const dmRows = selectDms.all(match, userId, userId, limit + 1) as unknown as DmRow[]
    const hasMore = rows.length > limit || dmRows.length > limit
    return {
      messages: rows.slice(0, limit).map(toMessage),
      dms: dmRows.slice(0, limit).map(toDm),
      hasMore
    }
  }
}
