import { useEffect } from 'react'
import { useStore } from '../store'

/** Ctrl+Shift+I toggles the inspector; Escape closes the topmost panel. Returns nothing to wire. */
export function useKeyboardShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.shiftKey && (event.key === 'I' || event.key === 'i')) {
        event.preventDefault()
        useStore.getState().toggleInspector()
      } else if (event.key === 'Escape' && useStore.getState().inspectorOpen) {
        event.preventDefault()
        useStore.getState().closePanels()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])
}
