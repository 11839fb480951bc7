import { DEFAULT_ROOM, type ServerMessage, type ServerMessageOf, type User } from '../../../shared/protocol'
import type { EngineEvent } from '../engine/engine-events'
import {
  dmKey,
  emptyLog,
  mergeEntries,
  messageEntry,
  systemEntry,
  type ChannelKey,
  type ChannelLog,
  type LogEntry
} from './channel-log'
import { explainStop } from './connect-problem'
import type { MemberPaging, StoreState, TypingEntry } from './store-types'

/** Inspector series are bounded like the frame log: a week-long session must not grow without end. */
const TIMELINE_MAX = 500
const SERIES_MAX = 200
const TYPING_SHOWN_MS = 4000
/** More joins (or leaves) than this in one presence batch show as one "N people joined" line. */
const COLLAPSE_PRESENCE_OVER = 5

type PresenceEvent = 'join' | 'leave'
const PRESENCE_VERB: Record<PresenceEvent, string> = { join: 'joined', leave: 'left' }
const peopleCount = (n: number) => (n === 1 ? '1 person' : `${n} people`)

type Draft = Partial<StoreState>

/**
 * Folds a batch of engine events into one state update. Socket events arrive one per task; at a
 * thousand messages a second, one store update (and one render) per batch instead of per frame is
 * what keeps typing responsive. Channel logs are copied once per batch, then appended in place.
 */
export function applyEngineEvents(state: StoreState, events: readonly EngineEvent[], now: number): Draft {
  const draft: Draft = {}
  const copiedLogs = new Set<ChannelKey>()
  const view = <K extends keyof StoreState>(key: K): StoreState[K] =>
    (key in draft ? draft[key] : state[key]) as StoreState[K]

  const log = (key: ChannelKey): ChannelLog => {
    if (!draft.logs) draft.logs = { ...state.logs }
    const logs = draft.logs
    if (!copiedLogs.has(key)) {
      const current = logs[key] ?? emptyLog()
      logs[key] = { ...current, entries: current.entries.slice() }
      copiedLogs.add(key)
    }
    return logs[key] as ChannelLog
  }
  const addEntries = (key: ChannelKey, entries: LogEntry[]) => {
    const target = log(key)
    const { prepended } = mergeEntries(target.entries, entries)
    target.prepended += prepended
  }
  const bumpUnread = (key: ChannelKey, from: User) => {
    if (key === view('current') || from.id === view('me')?.id) return
    const unread = { ...view('unread') }
    unread[key] = (unread[key] ?? 0) + 1
    draft.unread = unread
  }
  const push = <T>(list: T[], item: T, max: number): T[] => {
    const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice()
    next.push(item)
    return next
  }

  for (const event of events) {
    switch (event.type) {
      case 'state':
        draft.status = event.entry.state
        draft.timeline = push(view('timeline'), event.entry, TIMELINE_MAX)
        if (event.entry.state !== 'reconnecting') draft.nextAttemptAt = null
        if (event.entry.state === 'open') draft.problem = null
        break
      case 'handshake':
        draft.handshake = event.facts
        break
      case 'welcome':
        draft.me = event.user
        draft.admitted = true
        draft.problem = null
        break
      case 'close':
        draft.closes = push(view('closes'), event.row, SERIES_MAX)
        break
      case 'reconnect':
        draft.reconnects = push(view('reconnects'), event.attempt, SERIES_MAX)
        draft.nextAttemptAt = event.attempt.dueAt
        break
      case 'rtt':
        draft.rtt = push(view('rtt'), event.sample, SERIES_MAX)
        break
      case 'buffered':
        draft.bufferedAmount = event.bytes
        break
      case 'frames':
        draft.framesVersion = view('framesVersion') + 1
        break
      case 'outbox':
        draft.outbox = event.items
        break
      case 'protocol-error':
        draft.protocolErrors = push(view('protocolErrors'), event.message, SERIES_MAX)
        break
      case 'stopped':
        draft.problem = explainStop(event.info, view('url') ?? '', view('nick') ?? '')
        break
      case 'server':
        applyServerMessage(event.message)
        break
    }
  }
  return draft

  function applyServerMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        draft.server = { name: message.server.name, version: message.server.version }
        draft.serverRooms = message.rooms
        if (!view('current')) draft.current = DEFAULT_ROOM
        break
      case 'rooms':
        draft.serverRooms = message.rooms
        break
      case 'joined': {
        const fresh = !(
          state.logs[message.room]?.entries.length || draft.logs?.[message.room]?.entries.length
        )
        addEntries(message.room, message.history.map(messageEntry))
        if (fresh) log(message.room).hasMore = message.hasMore === true
        const me = view('me')
        // In a large room one's own entry joined last, past the first page: list it anyway.
        const listed =
          me && !message.members.some((u) => u.id === me.id) ? [...message.members, me] : message.members
        draft.members = { ...view('members'), [message.room]: listed }
        setPaging(message.room, {
          total: message.memberCount ?? message.members.length,
          loaded: message.members.length,
          loading: false
        })
        const joined = view('joinedRooms')
        if (!joined.includes(message.room)) draft.joinedRooms = [...joined, message.room]
        break
      }
      case 'left': {
        draft.joinedRooms = view('joinedRooms').filter((room) => room !== message.room)
        const members = { ...view('members') }
        delete members[message.room]
        draft.members = members
        const paging = { ...view('memberPaging') }
        delete paging[message.room]
        draft.memberPaging = paging
        if (view('current') === message.room) draft.current = draft.joinedRooms[0] ?? null
        break
      }
      case 'history': {
        addEntries(message.room, message.messages.map(messageEntry))
        const target = log(message.room)
        target.loadingOlder = false
        target.hasMore = message.hasMore === true
        break
      }
      case 'message':
        addEntries(message.room, [messageEntry(message)])
        bumpUnread(message.room, message.from)
        clearTyping(message.room, message.from.id)
        break
      case 'dm': {
        const me = view('me')
        const peer = message.from.id === me?.id ? message.to : message.from
        const key = dmKey(peer.id)
        addEntries(key, [messageEntry(message)])
        const dms = view('dms')
        if (!dms.some((d) => d.id === peer.id)) draft.dms = [...dms, { id: peer.id, nick: peer.nick }]
        bumpUnread(key, message.from)
        break
      }
      case 'members': {
        const listed = view('members')[message.room]
        if (!listed) break
        const known = new Set(listed.map((u) => u.id))
        draft.members = {
          ...view('members'),
          [message.room]: [...listed, ...message.members.filter((u) => !known.has(u.id))]
        }
        setPaging(message.room, {
          total: message.total,
          // An empty page means the list ran out (people left meanwhile): nothing more to ask for.
          loaded: message.members.length ? message.offset + message.members.length : message.total,
          loading: false
        })
        break
      }
      case 'presence': {
        applyPresence(message.room, message.event, message.user)
        const target = log(message.room)
        const verb = message.event === 'join' ? 'joined' : 'left'
        target.entries.push(systemEntry(target.entries, `${message.user.nick} ${verb} #${message.room}`, now))
        break
      }
      case 'presence_batch':
        applyPresenceBatch(message)
        break
      case 'typing': {
        if (message.user.id === view('me')?.id) break
        const others = (view('typing')[message.room] ?? []).filter(
          (t) => t.userId !== message.user.id && t.until > now
        )
        const entry: TypingEntry = {
          userId: message.user.id,
          nick: message.user.nick,
          until: now + TYPING_SHOWN_MS
        }
        draft.typing = { ...view('typing'), [message.room]: [...others, entry] }
        break
      }
      case 'error':
        draft.notice = { code: message.code, message: message.message, at: now }
        break
      case 'pong':
        break
    }
  }

  function setPaging(room: string, paging: MemberPaging): void {
    draft.memberPaging = { ...view('memberPaging'), [room]: paging }
  }

  function applyPresence(room: string, event: PresenceEvent, user: User): void {
    const current = view('members')[room] ?? []
    const others = current.filter((u) => u.id !== user.id)
    draft.members = { ...view('members'), [room]: event === 'join' ? [...others, user] : others }
    if (event === 'leave') clearTyping(room, user.id)
    const paging = view('memberPaging')[room]
    if (!paging) return
    const listed = others.length !== current.length
    // A leave of someone not listed counts only while part of the room is not paged in yet.
    const delta = event === 'join' ? (listed ? 0 : 1) : listed || paging.total > current.length ? -1 : 0
    if (delta) setPaging(room, { ...paging, total: Math.max(0, paging.total + delta) })
  }

  /**
   * The server sends one batch per room per turn to every member, so a batch may hold the
   * viewer's own join (it has `joined` already) and events its `joined` member list already
   * reflected (it joined mid-turn): those are skipped, the rest applied in order as single
   * `presence` frames. A storm of joins or leaves collapses into one line.
   */
  function applyPresenceBatch({ room, events }: ServerMessageOf<'presence_batch'>): void {
    const meId = view('me')?.id
    const lines: string[] = []
    const nicks: Record<PresenceEvent, string[]> = { join: [], leave: [] }
    for (const { event, user } of events) {
      if (user.id === meId) continue
      const listed = view('members')[room] ?? []
      const present = listed.some((u) => u.id === user.id)
      const unpaged = (view('memberPaging')[room]?.total ?? 0) > listed.length
      // A leave of someone not listed is still news in a room not fully paged in.
      if (present === (event === 'join') && !(event === 'leave' && unpaged)) continue
      applyPresence(room, event, user)
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
    const target = log(room)
    for (const line of shown) target.entries.push(systemEntry(target.entries, line, now))
  }

  function clearTyping(room: string, userId: string): void {
    const list = view('typing')[room]
    if (!list?.some((t) => t.userId === userId)) return
    draft.typing = { ...view('typing'), [room]: list.filter((t) => t.userId !== userId) }
  }
}
