import { useRef, useState, type DragEvent } from 'react'

/**
 * Drag and drop of files onto an element: `dragging` while files hover over it (a counter, as
 * dragenter/dragleave fire for every child crossed), `onFiles` with what was dropped. Text or
 * links dragged around the page are left alone.
 */
export function useFileDrop(onFiles: (files: File[]) => void, enabled: boolean) {
  const [dragging, setDragging] = useState(false)
  const depth = useRef(0)
  const carriesFiles = (event: DragEvent) => enabled && event.dataTransfer.types.includes('Files')
  return {
    dragging,
    handlers: {
      onDragEnter(event: DragEvent) {
        if (!carriesFiles(event)) return
        event.preventDefault()
        depth.current++
        setDragging(true)
      },
      onDragOver(event: DragEvent) {
        if (!carriesFiles(event)) return
        event.preventDefault()
        event.dataTransfer.dropEffect = 'copy'
      },
      onDragLeave(event: DragEvent) {
        if (!carriesFiles(event)) return
        depth.current = Math.max(0, depth.current - 1)
        if (depth.current === 0) setDragging(false)
      },
      onDrop(event: DragEvent) {
        if (!carriesFiles(event)) return
        event.preventDefault()
        depth.current = 0
        setDragging(false)
        const files = [...event.dataTransfer.files]
        if (files.length > 0) onFiles(files)
      }
    }
  }
}
