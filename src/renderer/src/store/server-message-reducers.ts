import { DEFAULT_ROOM, type ServerMessage } from '../../../shared/protocol'
import type { ReducerTable } from './batch-draft'
import { dmKey, messageEntry } from './channel-log'
import { reduceMembers, reducePresence, reducePresenceBatch } from './presence-reducers'
import type { TypingEntry } from './store-types'

const TYPING_SHOWN_MS = 4000

/** How each server message changes the store; the engine has already taken what it needs. */
export const serverMessageReducers: ReducerTable<ServerMessage> = {
  welcome(message, batch) {
    batch.draft.server = { name: message.server.name, version: message.server.version }
    batch.draft.serverRooms = message.rooms
    if (!batch.view('current')) batch.draft.current = DEFAULT_ROOM
  },

  rooms(message, batch) {
    batch.draft.serverRooms = message.rooms
  },

  joined(message, batch) {
    const { state, draft } = batch
    const fresh = !(state.logs[message.room]?.entries.length || draft.logs?.[message.room]?.entries.length)
    batch.addEntries(message.room, message.history.map(messageEntry))
    if (fresh) batch.log(message.room).hasMore = message.hasMore === true
    // A resume's missed edits, deletions and reactions: each message as it now is.
    for (const changed of message.changes ?? []) {
      const entry = messageEntry(changed)
      batch.changeMessage(message.room, changed.id, (old) => ({
        ...entry,
        ...(old.cid ? { cid: old.cid } : {})
      }))
    }
    const me = batch.view('me')
    // In a large room one's own entry joined last, past the first page: list it anyway.
    const listed =
      me && !message.members.some((u) => u.id === me.id) ? [...message.members, me] : message.members
    draft.members = { ...batch.view('members'), [message.room]: listed }
    batch.setPaging(message.room, {
      total: message.memberCount ?? message.members.length,
      loaded: message.members.length,
      loading: false
    })
    const joined = batch.view('joinedRooms')
    if (!joined.includes(message.room)) draft.joinedRooms = [...joined, message.room]
  },

  left(message, batch) {
    const { draft } = batch
    const joinedRooms = batch.view('joinedRooms').filter((room) => room !== message.room)
    draft.joinedRooms = joinedRooms
    const members = { ...batch.view('members') }
    delete members[message.room]
    draft.members = members
    const paging = { ...batch.view('memberPaging') }
    delete paging[message.room]
    draft.memberPaging = paging
    if (batch.view('current') === message.room) draft.current = joinedRooms[0] ?? null
  },

  history(message, batch) {
    batch.addEntries(message.room, message.messages.map(messageEntry))
    const target = batch.log(message.room)
    target.loadingOlder = false
    target.hasMore = message.hasMore === true
  },

  message(message, batch) {
    batch.addEntries(message.room, [messageEntry(message)])
    batch.bumpUnread(message.room, message.from)
    batch.clearTyping(message.room, message.from.id)
  },

  dm(message, batch) {
    const peer = message.from.id === batch.view('me')?.id ? message.to : message.from
    const key = dmKey(peer.id)
    batch.addEntries(key, [messageEntry(message)])
    const dms = batch.view('dms')
    if (!dms.some((d) => d.id === peer.id)) batch.draft.dms = [...dms, { id: peer.id, nick: peer.nick }]
    batch.bumpUnread(key, message.from)
  },

  edited(message, batch) {
    batch.changeMessage(message.room, message.id, (m) => ({
      ...m,
      text: message.text,
      editedAt: message.editedAt
    }))
  },

  deleted(message, batch) {
    batch.changeMessage(message.room, message.id, (m) => {
      const { reactions: _gone, editedAt: _alsoGone, ...kept } = m
      return { ...kept, text: '', deleted: true }
    })
  },

  reactions(message, batch) {
    batch.changeMessage(message.room, message.id, (m) => {
      const { reactions: _old, ...rest } = m
      return message.reactions.length ? { ...rest, reactions: message.reactions } : rest
    })
  },

  search(message, batch) {
    const current = batch.view('search')
    // Only the answer to the query on screen: an older one arriving late is dropped.
    if (!current || current.q !== message.q) return
    batch.draft.search = {
      q: message.q,
      pending: false,
      results: message.results,
      dms: message.dms ?? [],
      hasMore: message.hasMore
    }
  },

  members: reduceMembers,
  presence: reducePresence,
  presence_batch: reducePresenceBatch,

  typing(message, batch) {
    if (message.user.id === batch.view('me')?.id) return
    const { now } = batch
    const others = (batch.view('typing')[message.room] ?? []).filter(
      (t) => t.userId !== message.user.id && t.until > now
    )
    const entry: TypingEntry = {
      userId: message.user.id,
      nick: message.user.nick,
      until: now + TYPING_SHOWN_MS
    }
    batch.draft.typing = { ...batch.view('typing'), [message.room]: [...others, entry] }
  },

  error(message, batch) {
    batch.draft.notice = { code: message.code, message: message.message, at: batch.now }
  },

  // Round trips and the replay barrier are the engine's; the inspector gets them as `rtt` events.
  pong() {}
}
