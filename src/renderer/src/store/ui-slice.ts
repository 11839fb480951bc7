import type { SliceCreator, UiSlice } from './store-types'

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  inspectorOpen: false,
  inspectorTab: 'overview',
  frameFocus: null,
  highlightedMessage: null,
  toggleInspector(open) {
    set({ inspectorOpen: open ?? !get().inspectorOpen })
  },
  setInspectorTab(tab) {
    set({ inspectorTab: tab, inspectorOpen: true })
  },
  showFrames(ref) {
    set({ frameFocus: ref, inspectorTab: 'frames', inspectorOpen: true })
  },
  clearFrameFocus() {
    set({ frameFocus: null })
  },
  goToMessage(target) {
    if (get().current !== target.channel) get().selectChannel(target.channel)
    // `at` makes a second click on the same message scroll to it again.
    set({ highlightedMessage: { ...target, at: Date.now() } })
  },
  closePanels() {
    if (get().inspectorOpen) set({ inspectorOpen: false })
  }
})
