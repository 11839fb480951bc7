/**
 * Where to open the window: the remembered bounds if they still fit on a connected display
 * (monitors get unplugged between launches), else the default size, centred by Electron.
 */
import type { WindowBounds } from '../shared/ipc'

export interface Rectangle {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 720 } as const
/** How much of the title bar must be on screen for the window to count as reachable. */
const MIN_VISIBLE = 64

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  }
}

export function restoreBounds(
  saved: WindowBounds | undefined,
  workAreas: readonly Rectangle[]
): { x?: number; y?: number; width: number; height: number; maximized: boolean } {
  if (!saved) return { ...DEFAULT_WINDOW_SIZE, maximized: false }
  const largest = workAreas.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), {
    x: 0,
    y: 0,
    width: DEFAULT_WINDOW_SIZE.width,
    height: DEFAULT_WINDOW_SIZE.height
  })
  const width = Math.min(saved.width, largest.width)
  const height = Math.min(saved.height, largest.height)
  if (saved.x === undefined || saved.y === undefined) return { width, height, maximized: saved.maximized }
  const titleBar = { x: saved.x, y: saved.y, width, height: Math.min(height, 32) }
  const reachable = workAreas.some((area) => {
    const o = overlap(titleBar, area)
    return o.width >= MIN_VISIBLE && o.height > 0
  })
  return reachable
    ? { x: saved.x, y: saved.y, width, height, maximized: saved.maximized }
    : { width, height, maximized: saved.maximized }
}
