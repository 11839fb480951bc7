/**
 * Reactions under a message (one chip per emoji: its count, who reacted on hover and focus,
 * pressed when one of them is you) and the picker that adds one: the usual few, then a search
 * over every emoji by name.
 */
import { useEffect, useRef, useState } from 'react'
import type { Reaction } from '../../../shared/protocol'
import { useStore } from '../store'
import { QUICK_REACTIONS, searchEmoji } from './emoji'

/** "ann, bob and 3 others": who reacted, by nick where this client knows it. */
function whoReacted(users: string[], nickOf: (id: string) => string, meId: string | undefined): string {
  const names = users.map((id) => (id === meId ? 'you' : nickOf(id)))
  if (names.length <= 3) return names.join(', ').replace(/, ([^,]*)$/, ' and $1')
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} others`
}

export function ReactionChips({
  id,
  reactions,
  nickOf
}: {
  id: number
  reactions: Reaction[]
  nickOf: (userId: string) => string
}) {
  const toggle = useStore((s) => s.toggleReaction)
  const meId = useStore((s) => s.me?.id)
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {reactions.map((r) => {
        const mine = !!meId && r.users.includes(meId)
        const who = whoReacted(r.users, nickOf, meId)
        return (
          <button
            key={r.emoji}
            type="button"
            className={`reaction${mine ? ' mine' : ''}`}
            aria-pressed={mine}
            aria-label={`${r.emoji} ${r.users.length}: ${who}`}
            title={`${who} reacted with ${r.emoji}`}
            onClick={() => toggle(id, r.emoji)}
          >
            <span aria-hidden="true">{r.emoji}</span>
            <span className="count" aria-hidden="true">
              {r.users.length}
            </span>
            <span className="who" aria-hidden="true">
              {who}
            </span>
          </button>
        )
      })}
    </div>
  )
}

export function ReactionPicker({ id, onClose }: { id: number; onClose: () => void }) {
  const toggle = useStore((s) => s.toggleReaction)
  const [query, setQuery] = useState('')
  const search = useRef<HTMLInputElement>(null)
  const panel = useRef<HTMLDivElement>(null)
  const results = searchEmoji(query)

  useEffect(() => {
    search.current?.focus()
    // A tap or click anywhere else closes it, as a menu would.
    const outside = (event: PointerEvent) => {
      if (!panel.current?.contains(event.target as Node)) onClose()
    }
    document.addEventListener('pointerdown', outside, true)
    return () => document.removeEventListener('pointerdown', outside, true)
  }, [onClose])

  const pick = (emoji: string) => {
    toggle(id, emoji)
    onClose()
  }

  return (
    <div
      ref={panel}
      className="reaction-picker"
      role="dialog"
      aria-label="Add reaction"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onClose()
        }
      }}
    >
      <div className="quick-reactions">
        {QUICK_REACTIONS.map((emoji) => (
          <button key={emoji} type="button" aria-label={`React with ${emoji}`} onClick={() => pick(emoji)}>
            {emoji}
          </button>
        ))}
      </div>
      <input
        ref={search}
        type="search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          const first = results[0]
          if (e.key === 'Enter' && first) {
            e.preventDefault()
            pick(first.emoji)
          }
        }}
      />
      {query && (
        <div className="emoji-results" role="listbox" aria-label="Emoji">
          {results.length === 0 && <span className="muted small">No emoji named “{query}”.</span>}
          {results.map((r) => (
            <button
              key={r.emoji}
              type="button"
              role="option"
              aria-selected={false}
              aria-label={`${r.emoji} ${r.name.replaceAll('_', ' ')}`}
              title={`:${r.name}:`}
              onClick={() => pick(r.emoji)}
            >
              {r.emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
