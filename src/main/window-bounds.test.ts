import { describe, expect, it } from 'vitest'
import { DEFAULT_WINDOW_SIZE, restoreBounds } from './window-bounds'

const laptop = { x: 0, y: 0, width: 1440, height: 900 }
const external = { x: 1440, y: 0, width: 2560, height: 1440 }

describe('restoreBounds', () => {
  it('opens at the default size the first time', () => {
    expect(restoreBounds(undefined, [laptop])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false })
  })

  it('restores size and position that are still on a display', () => {
    const saved = { x: 1600, y: 100, width: 1200, height: 800, maximized: false }
    expect(restoreBounds(saved, [laptop, external])).toEqual(saved)
  })

  it('drops the position when that display is gone, keeping the size', () => {
    const saved = { x: 1600, y: 100, width: 1200, height: 800, maximized: true }
    expect(restoreBounds(saved, [laptop])).toEqual({ width: 1200, height: 800, maximized: true })
  })

  it('shrinks a window larger than any display that is left', () => {
    const saved = { x: 0, y: 0, width: 2500, height: 1400, maximized: false }
    expect(restoreBounds(saved, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 900, maximized: false })
  })

  it('drops a position whose title bar would sit above the screen', () => {
    const saved = { x: 100, y: -500, width: 800, height: 600, maximized: false }
    expect(restoreBounds(saved, [laptop])).toEqual({ width: 800, height: 600, maximized: false })
  })
})
