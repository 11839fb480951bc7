/**
 * Who may moderate, and who is banned, in `<data>/moderation.sqlite` (its own file for the same
 * reasons as the file index: its own schema version, and writes that are rare and commit at once
 * instead of riding the message queue). Both lists are small and read on every hello, so they
 * are held in memory too and the file is only written.
 *
 * A ban names the user's session (by token hash) and their nickname: a hello presenting that
 * session, or asking for that nick (in any case or Unicode compatibility form), is refused until
 * the ban is lifted. A moderator is a user id: Parley has no accounts, so the role lasts as long
 * as that user's session does.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { User } from '../../../shared/protocol'
import { nickKey } from '../nick-identity'

export const MODERATION_FILE = 'moderation.sqlite'
const SCHEMA_VERSION = 1
const BUSY_TIMEOUT_MS = 20

export interface Ban {
  id: string
  user: User
  reason: string
  /** Who banned: "owner" or the moderator's user id. */
  by: string
  createdAt: number
}

export interface ModeratorEntry {
  user: User
  namedAt: number
}

export interface ModerationStore {
  ban(user: User, tokenHash: string, reason: string, by: string): Ban
  /** Lifts a ban; false when there is none with that id. */
  unban(id: string): boolean
  bans(): Ban[]
  /** The ban that refuses a hello with this session (token hash) or nick, if any. */
  banFor(tokenHash: string | undefined, nick: string): Ban | undefined
  name(user: User): ModeratorEntry
  /** False when the user was not a moderator. */
  unname(userId: string): boolean
  isModerator(userId: string): boolean
  moderators(): ModeratorEntry[]
  close(): void
}

interface BanRow {
  id: string
  user_id: string
  nick: string
  token_hash: string
  reason: string
  by: string
  created_at: number
}

export function openModerationStore(dataDir: string): ModerationStore {
  const db = new DatabaseSync(join(dataDir, MODERATION_FILE))
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`)
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version
  if (version > SCHEMA_VERSION) {
    db.close()
    throw new Error(
      `The moderation file was written by a newer Parley (schema ${version}, this one knows ${SCHEMA_VERSION}). Use a newer Parley or another --data directory.`
    )
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS bans (
      id TEXT PRIMARY KEY, user_id TEXT NOT NULL, nick TEXT NOT NULL, token_hash TEXT NOT NULL,
      reason TEXT NOT NULL, by TEXT NOT NULL, created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS moderators (
      user_id TEXT PRIMARY KEY, nick TEXT NOT NULL, named_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    PRAGMA user_version = ${SCHEMA_VERSION};
  `)
  const insertBan = db.prepare(
    'INSERT INTO bans (id, user_id, nick, token_hash, reason, by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
  )
  const deleteBan = db.prepare('DELETE FROM bans WHERE id = ?')
  const upsertModerator = db.prepare(
    'INSERT OR REPLACE INTO moderators (user_id, nick, named_at) VALUES (?, ?, ?)'
  )
  const deleteModerator = db.prepare('DELETE FROM moderators WHERE user_id = ?')

  const bans = new Map<string, Ban & { tokenHash: string }>()
  for (const row of db.prepare('SELECT * FROM bans ORDER BY created_at').all() as unknown as BanRow[]) {
    bans.set(row.id, {
      id: row.id,
      user: { id: row.user_id, nick: row.nick },
      reason: row.reason,
      by: row.by,
      createdAt: row.created_at,
      tokenHash: row.token_hash
    })
  }
  const moderators = new Map<string, ModeratorEntry>()
  for (const row of db.prepare('SELECT * FROM moderators ORDER BY named_at').all() as {
    user_id: string
    nick: string
    named_at: number
  }[]) {
    moderators.set(row.user_id, { user: { id: row.user_id, nick: row.nick }, namedAt: row.named_at })
  }

  const publicBan = ({ tokenHash: _secret, ...ban }: Ban & { tokenHash: string }): Ban => ban

  return {
    ban(user, tokenHash, reason, by) {
      const ban = {
        id: `b_${randomBytes(9).toString('base64url')}`,
        user,
        reason,
        by,
        createdAt: Date.now(),
        tokenHash
      }
      insertBan.run(ban.id, user.id, user.nick, tokenHash, reason, by, ban.createdAt)
      bans.set(ban.id, ban)
      return publicBan(ban)
    },
    unban(id) {
      if (!bans.has(id)) return false
      deleteBan.run(id)
      bans.delete(id)
      return true
    },
    bans: () => [...bans.values()].map(publicBan),
    banFor(tokenHash, nick) {
      const key = nickKey(nick)
      for (const ban of bans.values()) {
        if ((tokenHash !== undefined && ban.tokenHash === tokenHash) || nickKey(ban.user.nick) === key) {
          return publicBan(ban)
        }
      }
      return undefined
    },
    name(user) {
      const entry = { user, namedAt: Date.now() }
      upsertModerator.run(user.id, user.nick, entry.namedAt)
      moderators.set(user.id, entry)
      return entry
    },
    unname(userId) {
      if (!moderators.has(userId)) return false
      deleteModerator.run(userId)
      moderators.delete(userId)
      return true
    },
    isModerator: (userId) => moderators.has(userId),
    moderators: () => [...moderators.values()],
    close: () => db.close()
  }
}
