import { useState, type FormEvent } from 'react'
import { dmKey } from '../store/channel-log'
import { useStore } from '../store'
import { MoreRooms } from './more-rooms'

function UnreadBadge({ count }: { count: number }) {
  if (!count) return null
  return (
    <span className="badge" aria-label={`${count} unread`}>
      {count > 99 ? '99+' : count}
    </span>
  )
}

function ChannelButton({ channel, label, prefix }: { channel: string; label: string; prefix: string }) {
  const selected = useStore((s) => s.current === channel)
  const unread = useStore((s) => s.unread[channel] ?? 0)
  const selectChannel = useStore((s) => s.selectChannel)
  return (
    <button
      type="button"
      className={`channel${selected ? ' selected' : ''}${unread ? ' has-unread' : ''}`}
      aria-current={selected ? 'page' : undefined}
      onClick={() => selectChannel(channel)}
    >
      <span className="channel-prefix" aria-hidden="true">
        {prefix}
      </span>
      <bdi className="channel-name">{label}</bdi>
      <UnreadBadge count={unread} />
    </button>
  )
}

export function RoomsNav() {
  const joinedRooms = useStore((s) => s.joinedRooms)
  const dms = useStore((s) => s.dms)
  const joinRoom = useStore((s) => s.joinRoom)
  const leaveRoom = useStore((s) => s.leaveRoom)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const problem = joinRoom(name)
    setError(problem)
    if (!problem) setName('')
  }

  return (
    <nav aria-label="Rooms" className="sidebar">
      <h2 className="sidebar-heading">Rooms</h2>
      <ul className="channel-list">
        {joinedRooms.map((room) => (
          <li key={room} className="channel-row">
            <ChannelButton channel={room} label={room} prefix="#" />
            <button
              type="button"
              className="icon leave"
              aria-label={`Leave ${room}`}
              title={`Leave #${room}`}
              onClick={() => leaveRoom(room)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form className="join-form" onSubmit={submit}>
        <input
          aria-label="Room name"
          placeholder="room-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={error ? true : undefined}
          spellCheck={false}
        />
        <button type="submit">Join room</button>
      </form>
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
      <MoreRooms />
      <h2 className="sidebar-heading">Direct messages</h2>
      {dms.length === 0 ? (
        <p className="muted small sidebar-hint">Click a member to start one.</p>
      ) : (
        <ul className="channel-list" aria-label="Direct messages">
          {dms.map((peer) => (
            <li key={peer.id}>
              <ChannelButton channel={dmKey(peer.id)} label={peer.nick} prefix="@" />
            </li>
          ))}
        </ul>
      )}
    </nav>
  )
}
