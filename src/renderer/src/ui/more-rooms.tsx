import { useEffect, useId, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useStore } from '../store'

/** While the list is open it is asked for again this often: rooms appear as people create them. */
const REFRESH_WHILE_OPEN_MS = 15_000

/** Rooms on the server this person is not in, fetched afresh when opened (issue 20). */
export function MoreRooms() {
  const [open, setOpen] = useState(false)
  const connected = useStore((s) => s.status === 'open')
  const refreshRooms = useStore((s) => s.refreshRooms)
  const joinRoom = useStore((s) => s.joinRoom)
  const others = useStore(useShallow((s) => s.serverRooms.filter((r) => !s.joinedRooms.includes(r.name))))
  const listId = useId()

  useEffect(() => {
    if (!open || !connected) return
    refreshRooms()
    const timer = setInterval(refreshRooms, REFRESH_WHILE_OPEN_MS)
    return () => clearInterval(timer)
  }, [open, connected, refreshRooms])

  return (
    <>
      <h3 className="sidebar-subheading">
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls={listId}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> More rooms
        </button>
      </h3>
      {open && (
        <div id={listId}>
          {others.length === 0 ? (
            <p className="muted small sidebar-hint">No other rooms yet.</p>
          ) : (
            <ul className="channel-list" aria-label="More rooms">
              {others.map((room) => (
                <li key={room.name}>
                  <button type="button" className="channel muted" onClick={() => joinRoom(room.name)}>
                    <span className="channel-prefix" aria-hidden="true">
                      +
                    </span>
                    <bdi className="channel-name">{room.name}</bdi>
                    <span className="room-size" aria-label={`${room.members} here`}>
                      {room.members}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  )
}
