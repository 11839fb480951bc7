import type { ServerMessageOf, User } from '../../../shared/protocol'
import type { BatchDraft } from './batch-draft'
import { systemEntry } from './channel-log'

/** More joins (or leaves) than this in one presence batch show as one "N people joined" line. */
const COLLAPSE_PRESENCE_OVER = 5

type PresenceEvent = 'join' | 'leave'
const PRESENCE_VERB: Record<PresenceEvent, string> = { join: 'joined', leave: 'left' }
const peopleCount = (n: number) => (n === 1 ? '1 person' : `${n} people`)

export function reducePresence(message: ServerMessageOf<'presence'>, batch: BatchDraft): void {
  applyPresence(batch, message.room, message.event, message.user)
  const target = batch.log(message.room)
  const line = `${message.user.nick} ${PRESENCE_VERB[message.event]} #${message.room}`
  target.entries.push(systemEntry(target.entries, line, batch.now))
}

/**
 * The server sends one batch per room per turn to every member, so a batch may hold the
 * viewer's own join (it has `joined` already) and events its `joined` member list already
 * reflected (it joined mid-turn): those are skipped, the rest applied in order as single
 * `presence` frames. A storm of joins or leaves collapses into one line.
 */
export function reducePresenceBatch(
  { room, events }: ServerMessageOf<'presence_batch'>,
  batch: BatchDraft
): void {
  const meId = batch.view('me')?.id
  const lines: string[] = []
  const nicks: Record<PresenceEvent, string[]> = { join: [], leave: [] }
  for (const { event, user } of events) {
    if (user.id === meId) continue
    const listed = batch.view('members')[room] ?? []
    const present = listed.some((u) => u.id === user.id)
    const unpaged = (batch.view('memberPaging')[room]?.total ?? 0) > listed.length
    // A leave of someone not listed is still news in a room not fully paged in.
    if (present === (event === 'join') && !(event === 'leave' && unpaged)) continue
    applyPresence(batch, room, event, user)
    nicks[event].push(user.nick)
    lines.push(`${user.nick} ${PRESENCE_VERB[event]} #${room}`)
  }
  const collapse = nicks.join.length > COLLAPSE_PRESENCE_OVER || nicks.leave.length > COLLAPSE_PRESENCE_OVER
  const shown = collapse
    ? (['join', 'leave'] as const)
        .filter((event) => nicks[event].length > 0)
        .map((event) => `${peopleCount(nicks[event].length)} ${PRESENCE_VERB[event]} #${room}`)
    : lines
  if (shown.length === 0) return
  const target = batch.log(room)
  for (const line of shown) target.entries.push(systemEntry(target.entries, line, batch.now))
}

/** One page of a large room's member list, appended to what is listed. */
export function reduceMembers(message: ServerMessageOf<'members'>, batch: BatchDraft): void {
  const listed = batch.view('members')[message.room]
  if (!listed) return
  const known = new Set(listed.map((u) => u.id))
  batch.draft.members = {
    ...batch.view('members'),
    [message.room]: [...listed, ...message.members.filter((u) => !known.has(u.id))]
  }
  batch.setPaging(message.room, {
    total: message.total,
    // An empty page means the list ran out (people left meanwhile): nothing more to ask for.
    loaded: message.members.length ? message.offset + message.members.length : message.total,
    loading: false
  })
}

function applyPresence(batch: BatchDraft, room: string, event: PresenceEvent, user: User): void {
  const current = batch.view('members')[room] ?? []
  const others = current.filter((u) => u.id !== user.id)
  batch.draft.members = { ...batch.view('members'), [room]: event === 'join' ? [...others, user] : others }
  if (event === 'leave') batch.clearTyping(room, user.id)
  const paging = batch.view('memberPaging')[room]
  if (!paging) return
  const listed = others.length !== current.length
  // A leave of someone not listed counts only while part of the room is not paged in yet.
  const delta = event === 'join' ? (listed ? 0 : 1) : listed || paging.total > current.length ? -1 : 0
  if (delta) batch.setPaging(room, { ...paging, total: Math.max(0, paging.total + delta) })
}
