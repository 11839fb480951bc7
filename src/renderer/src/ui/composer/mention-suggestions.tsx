import type { User } from '../../../../shared/protocol'

/** The members an `@partial` could mean; `choice` is the one Enter or Tab would take. */
export function MentionSuggestions({
  suggestions,
  choice,
  onPick
}: {
  suggestions: User[]
  choice: number
  onPick(nick: string): void
}) {
  return (
    <ul className="mention-suggestions" role="listbox" aria-label="Mention someone">
      {suggestions.map((m, i) => (
        <li
          key={m.id}
          role="option"
          aria-selected={i === choice}
          onPointerDown={(e) => {
            // Keeps the focus (and the caret) in the message box.
            e.preventDefault()
            onPick(m.nick)
          }}
        >
          @<bdi>{m.nick}</bdi>
        </li>
      ))}
    </ul>
  )
}
