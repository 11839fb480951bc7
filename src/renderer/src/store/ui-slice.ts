import type { SliceCreator, UiSlice } from './store-types'

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  inspectorOpen: false,
  inspectorTab: 'overview',
  toggleInspector(open) {
    set({ inspectorOpen: open ?? !get().inspectorOpen })
  },
  setInspectorTab(tab) {
    set({ inspectorTab: tab, inspectorOpen: true })
  },
  closePanels() {
    if (get().inspectorOpen) set({ inspectorOpen: false })
  }
})
