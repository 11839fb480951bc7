import { DEFAULT_LIMITS } from '../../../shared/protocol'
import type { MembersSlice, SliceCreator, SliceState } from './store-types'

export const initialMembersState = (): SliceState<MembersSlice> => ({
  members: {},
  memberPaging: {}
})

/**
 * Members per room; filled from `joined` (the first page of a large room), kept current by
 * `presence` and extended a page at a time by `members` (apply-engine-events.ts).
 */
export const createMembersSlice: SliceCreator<MembersSlice> = (set, get) => ({
  ...initialMembersState(),

  loadMoreMembers(room) {
    const { engine, memberPaging } = get()
    const paging = memberPaging[room]
    if (!engine || !paging || paging.loading || paging.loaded >= paging.total) return
    const sent = engine.send({
      type: 'members',
      room,
      offset: paging.loaded,
      limit: DEFAULT_LIMITS.membersPageMax
    })
    if (sent) set({ memberPaging: { ...memberPaging, [room]: { ...paging, loading: true } } })
  }
})
