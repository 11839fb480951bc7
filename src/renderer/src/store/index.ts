import { create } from 'zustand'
import { createConnectionSlice, browserDeps, type StoreDeps } from './connection-slice'
import { createInspectorSlice } from './inspector-slice'
import { createMembersSlice } from './members-slice'
import { createMessagesSlice } from './messages-slice'
import { createRoomsSlice } from './rooms-slice'
import type { StoreState } from './store-types'
import { createUiSlice } from './ui-slice'

export type { StoreState, ConnectOptions, InspectorTab } from './store-types'
export type { StoreDeps } from './connection-slice'

/** Builds one bound store from the slices; tests pass their own engine factory and scheduler. */
export function createAppStore(deps: StoreDeps = browserDeps) {
  return create<StoreState>()((...a) => ({
    ...createConnectionSlice(deps)(...a),
    ...createRoomsSlice(...a),
    ...createMessagesSlice(deps.now)(...a),
    ...createMembersSlice(...a),
    ...createInspectorSlice(...a),
    ...createUiSlice(...a)
  }))
}

export type AppStore = ReturnType<typeof createAppStore>

/** The app's store. The desktop host panel calls `useStore.getState().connect({ url, nick })`. */
export const useStore = createAppStore()
