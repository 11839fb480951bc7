import type { User } from '../../../shared/protocol'
import { isDmKey } from '../store/channel-log'
import { useStore } from '../store'

const NO_MEMBERS: User[] = []

export function MembersList() {
  const current = useStore((s) => s.current)
  const members = useStore(
    (s) => (s.current && !isDmKey(s.current) ? s.members[s.current] : undefined) ?? NO_MEMBERS
  )
  const meId = useStore((s) => s.me?.id)
  const openDm = useStore((s) => s.openDm)
  if (!current || isDmKey(current)) return null
  return (
    <aside className="members" aria-labelledby="members-heading">
      <h2 id="members-heading" className="sidebar-heading">
        Members <span className="muted">{members.length}</span>
      </h2>
      <ul aria-label="Members" className="member-list">
        {members.map((member) => (
          <li key={member.id}>
            {member.id === meId ? (
              <span className="member me">
                <span className="avatar" aria-hidden="true">
                  {member.nick.slice(0, 1).toUpperCase()}
                </span>
                {member.nick} <span className="muted">(you)</span>
              </span>
            ) : (
              <button
                type="button"
                className="member"
                title={`Message ${member.nick} directly`}
                onClick={() => openDm(member)}
              >
                <span className="avatar" aria-hidden="true">
                  {member.nick.slice(0, 1).toUpperCase()}
                </span>
                {member.nick}
              </button>
            )}
          </li>
        ))}
      </ul>
    </aside>
  )
}
