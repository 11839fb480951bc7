import type { User } from '../../../shared/protocol'
import { ModerateMember } from '../moderation/moderate-member'
import { isDmKey } from '../store/channel-log'
import { useStore } from '../store'
import { selectMemberCount } from '../store/selectors'

const NO_MEMBERS: User[] = []

export function MembersList() {
  const current = useStore((s) => s.current)
  const members = useStore(
    (s) => (s.current && !isDmKey(s.current) ? s.members[s.current] : undefined) ?? NO_MEMBERS
  )
  const paging = useStore((s) => (s.current ? s.memberPaging[s.current] : undefined))
  const total = useStore(selectMemberCount) ?? members.length
  const meId = useStore((s) => s.me?.id)
  const openDm = useStore((s) => s.openDm)
  const loadMoreMembers = useStore((s) => s.loadMoreMembers)
  if (!current || isDmKey(current)) return null
  // A large room arrives a page at a time (`joined` lists the first page); the rest on request.
  const unlisted = paging && paging.loaded < paging.total ? total - members.length : 0
  return (
    <aside className="members" id="members-drawer" aria-labelledby="members-heading">
      <h2 id="members-heading" className="sidebar-heading">
        Members <span className="muted">{total.toLocaleString()}</span>
      </h2>
      <ul aria-label="Members" className="member-list">
        {members.map((member) => (
          <li key={member.id}>
            {member.id === meId ? (
              <span className="member me">
                <span className="avatar" aria-hidden="true">
                  {member.nick.slice(0, 1).toUpperCase()}
                </span>
                <bdi>{member.nick}</bdi> <span className="muted">(you)</span>
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
                <bdi>{member.nick}</bdi>
              </button>
            )}
            {member.id !== meId && <ModerateMember member={member} />}
          </li>
        ))}
      </ul>
      {unlisted > 0 && (
        <button
          type="button"
          className="link"
          disabled={paging?.loading}
          onClick={() => loadMoreMembers(current)}
        >
          {paging?.loading
            ? 'Loading members…'
            : `Show more members (${unlisted.toLocaleString()} not listed)`}
        </button>
      )}
    </aside>
  )
}
