import { useMemo, useState, type KeyboardEvent, type RefObject } from 'react'
import type { User } from '../../../../shared/protocol'
import { useStore } from '../../store'
import { isDmKey, type ChannelKey } from '../../store/channel-log'

const NO_MEMBERS: User[] = []
/** The `@partial` being typed right before the caret, if any. */
const MENTION_AT_CARET = /(?:^|\s)@([\p{L}\p{N}_.-]*)$/u
const SUGGESTIONS_MAX = 8

export interface MentionCompletion {
  /** Members whose nick starts with the `@partial` before the caret; empty when there is none. */
  suggestions: User[]
  /** Which suggestion Enter or Tab takes. */
  choice: number
  /** The draft changed: the highlighted suggestion goes back to the first. */
  resetChoice(): void
  /** Replaces the `@partial` with `@nick `, caret after it. */
  complete(nick: string): void
  /** Arrow keys move through the suggestions, Enter and Tab take one. True when it took the key. */
  handleKey(event: KeyboardEvent<HTMLTextAreaElement>): boolean
}

/** @mention completion in the message box, from the room's member list (DMs have none). */
export function useMentionCompletion(
  channel: ChannelKey,
  draft: { text: string; caret: number; box: RefObject<HTMLTextAreaElement | null> },
  setDraft: (text: string, caret: number) => void
): MentionCompletion {
  const { text, caret, box } = draft
  const members = useStore((s) => (isDmKey(channel) ? undefined : s.members[channel]) ?? NO_MEMBERS)
  const meId = useStore((s) => s.me?.id)
  const [choice, setChoice] = useState(0)
  const partial = MENTION_AT_CARET.exec(text.slice(0, caret))?.[1]
  const suggestions = useMemo(() => {
    if (partial === undefined) return []
    const p = partial.toLowerCase()
    return members
      .filter((m) => m.id !== meId && m.nick.toLowerCase().startsWith(p))
      .slice(0, SUGGESTIONS_MAX)
  }, [partial, members, meId])

  const complete = (nick: string) => {
    const before = text.slice(0, caret).replace(/@[\p{L}\p{N}_.-]*$/u, `@${nick} `)
    setDraft(before + text.slice(caret), before.length)
    setChoice(0)
    requestAnimationFrame(() => box.current?.setSelectionRange(before.length, before.length))
  }

  const handleKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length === 0) return false
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      setChoice((c) => (c + step + suggestions.length) % suggestions.length)
      return true
    }
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.nativeEvent.isComposing) {
      event.preventDefault()
      complete((suggestions[choice] ?? suggestions[0])!.nick)
      return true
    }
    return false
  }

  return { suggestions, choice, resetChoice: () => setChoice(0), complete, handleKey }
}
