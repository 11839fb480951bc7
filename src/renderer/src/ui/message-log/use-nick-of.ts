import { useMemo } from 'react'
import type { User } from '../../../../shared/protocol'
import { useStore } from '../../store'

/** Nicks by user id from the room's member list; someone who left is named so. */
function nickLookup(members: User[] | undefined): (userId: string) => string {
  const byId = new Map((members ?? []).map((m) => [m.id, m.nick]))
  return (userId) => byId.get(userId) ?? 'someone who left'
}

/** Who reacted, by nick: reactions carry user ids only. */
export function useNickOf(channel: string): (userId: string) => string {
  const members = useStore((s) => s.members[channel])
  return useMemo(() => nickLookup(members), [members])
}
