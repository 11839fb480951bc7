import { Fragment } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../store'
import { useNow } from './use-now'

/** Names in <bdi>, so a right-to-left nick cannot pull "is typing…" or the commas around. */
function NameList({ names }: { names: string[] }) {
  return names.map((name, i) => (
    <Fragment key={name}>
      {i > 0 && ', '}
      <bdi>{name}</bdi>
    </Fragment>
  ))
}

export function TypingIndicator({ room }: { room: string }) {
  const typing = useStore(useShallow((s) => s.typing[room] ?? []))
  const now = useNow(1000, typing.length > 0)
  const names = typing.filter((t) => t.until > now).map((t) => t.nick)
  return (
    <div className="typing" aria-live="polite">
      {names.length === 1 && (
        <>
          <NameList names={names} /> is typing…
        </>
      )}
      {names.length > 1 && names.length <= 3 && (
        <>
          <NameList names={names} /> are typing…
        </>
      )}
      {names.length > 3 && 'Several people are typing…'}
    </div>
  )
}
