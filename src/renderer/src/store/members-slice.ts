import type { MembersSlice, SliceCreator, SliceState } from './store-types'

export const initialMembersState = (): SliceState<MembersSlice> => ({
  members: {}
})

/** Members per room; filled from `joined` and kept current by `presence` (apply-engine-events.ts). */
export const createMembersSlice: SliceCreator<MembersSlice> = () => initialMembersState()
