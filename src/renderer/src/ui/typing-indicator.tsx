import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../store'
import { useNow } from './use-now'

export function TypingIndicator({ room }: { room: string }) {
  const typing = useStore(useShallow((s) => s.typing[room] ?? []))
  const now = useNow(1000, typing.length > 0)
  const names = typing.filter((t) => t.until > now).map((t) => t.nick)
  const text =
    names.length === 0
      ? ''
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length <= 3
          ? `${names.join(', ')} are typing…`
          : 'Several people are typing…'
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  )
}
