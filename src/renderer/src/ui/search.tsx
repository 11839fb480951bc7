/**
 * The search box in the conversation header and its results panel: room messages and DMs with
 * the words, newest first; picking one opens its channel at that message.
 */
import { useState } from 'react'
import type { ChatMessage, DirectMessage } from '../../../shared/protocol'
import { useStore } from '../store'
import { dmKey } from '../store/channel-log'
import { formatDay, formatTime } from './format'

export function SearchBox() {
  const runSearch = useStore((s) => s.runSearch)
  const [q, setQ] = useState('')
  return (
    <form
      role="search"
      aria-label="Search messages"
      className="search-box"
      onSubmit={(e) => {
        e.preventDefault()
        runSearch(q)
      }}
    >
      <input
        type="search"
        aria-label="Search messages"
        placeholder="Search"
        value={q}
        maxLength={200}
        onChange={(e) => setQ(e.target.value)}
      />
    </form>
  )
}

function Result({
  label,
  where,
  message,
  onPick
}: {
  label: string
  where: string
  message: ChatMessage | DirectMessage
  onPick: () => void
}) {
  return (
    <li>
      <button type="button" className="search-result" aria-label={label} onClick={onPick}>
        <span className="result-meta">
          <bdi className="author">{message.from.nick}</bdi> <span className="muted">{where}</span>{' '}
          <time className="muted" dateTime={new Date(message.ts).toISOString()}>
            {formatDay(message.ts)} {formatTime(message.ts)}
          </time>
        </span>
        <span className="result-text" dir="auto">
          {message.text}
        </span>
      </button>
    </li>
  )
}

export function SearchResults() {
  const search = useStore((s) => s.search)
  const close = useStore((s) => s.closeSearch)
  const showResult = useStore((s) => s.showResult)
  const meId = useStore((s) => s.me?.id)
  if (!search) return null
  const count = search.results.length + search.dms.length
  const pick = (channel: string, id: number) => {
    showResult(channel, id)
    close()
  }
  return (
    <aside
      className="search-results"
      aria-label="Search results"
      onKeyDown={(e) => e.key === 'Escape' && close()}
    >
      <header>
        <h2 className="sidebar-heading">Results for “{search.q}”</h2>
        <button type="button" className="link" aria-label="Close search" onClick={close}>
          ✕
        </button>
      </header>
      <p className="muted small" role="status">
        {search.pending
          ? 'Searching…'
          : count === 0
            ? 'Nothing found. Search looks for whole words; the last one may be the start of a word.'
            : `${count}${search.hasMore ? '+' : ''} found, newest first.`}
      </p>
      <ul className="result-list">
        {search.results.map((m) => (
          <Result
            key={`${m.room}:${m.id}`}
            label={`${m.from.nick} in #${m.room}: ${m.text}`}
            where={`in #${m.room}`}
            message={m}
            onPick={() => pick(m.room, m.id)}
          />
        ))}
        {search.dms.map((d) => {
          const peer = d.from.id === meId ? d.to : d.from
          return (
            <Result
              key={`dm:${d.id}`}
              label={`${d.from.nick} to ${d.to.nick}: ${d.text}`}
              where={`with ${peer.nick}`}
              message={d}
              onPick={() => pick(dmKey(peer.id), d.id)}
            />
          )
        })}
      </ul>
    </aside>
  )
}
