import type { MembersSlice, SliceCreator } from './store-types'

/** Members per room; filled from `joined` and kept current by `presence` (apply-engine-events.ts). */
export const createMembersSlice: SliceCreator<MembersSlice> = () => ({
  members: {}
})
