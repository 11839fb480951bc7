import { useEffect, useMemo, useRef, type RefObject } from 'react'
import type { VirtuosoHandle } from 'react-virtuoso'

/** How long after the person's own wheel, drag, touch or key the log leaves the scroll position to them. */
const USER_SCROLL_GRACE_MS = 250
/** Leaving the bottom this soon after the person's own wheel, drag, touch or key is their doing: it unpins. */
const USER_SCROLL_WINDOW_MS = 1000

/** Whether the log keeps the newest message in view, and the list callbacks that keep it so. */
export interface FollowNewest {
  /** For the log's capture handlers: the person is scrolling by wheel, drag, touch or key. */
  noteUserScroll(): void
  /** Virtuoso's followOutput. */
  followOutput(): 'auto' | false
  /** Virtuoso's atBottomStateChange. */
  atBottomStateChange(atBottom: boolean): void
  /** Stops following: the log was taken to another message on purpose. */
  unpin(): void
}

/**
 * Pins the log to its newest row (`newestOrder`) until the person scrolls away. The returned
 * object is the same on every render, so effects can depend on it without rerunning.
 */
export function useFollowNewest(
  virtuoso: RefObject<VirtuosoHandle | null>,
  newestOrder: number | undefined
): FollowNewest {
  // Whether new messages keep the view pinned to the bottom. Only the person's own scrolling
  // unpins it: during a burst the list can fall briefly behind the bottom while new rows are
  // measured, and Virtuoso's at-bottom flag alone would then stop following for good.
  const stick = useRef(true)
  // Never, until the person scrolls: a 0 here read as "just now" for the first second of the page
  // (performance.now() starts at 0), so a list that left the bottom while a fresh page filled an
  // empty room unpinned itself as if the person had scrolled up, and stayed on the first rows.
  const userScrolledAt = useRef(Number.NEGATIVE_INFINITY)

  const follow = useMemo(() => {
    // Pinned, and the person is not in the middle of scrolling: pulling the view down between two
    // wheel ticks would keep them from ever getting away from the bottom during a burst.
    const following = () => stick.current && performance.now() - userScrolledAt.current > USER_SCROLL_GRACE_MS
    const pinToNewest = () => {
      if (following()) virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
    }
    return {
      following,
      noteUserScroll() {
        userScrolledAt.current = performance.now()
      },
      followOutput: () => (following() ? 'auto' : false) as 'auto' | false,
      atBottomStateChange(atBottom: boolean) {
        if (atBottom) stick.current = true
        else if (performance.now() - userScrolledAt.current < USER_SCROLL_WINDOW_MS) stick.current = false
        // Still pinned, yet off the bottom without the person's doing (rows measured taller
        // than estimated after the last message of a burst, with no newer one to follow):
        // back to the newest row.
        else if (stick.current) requestAnimationFrame(pinToNewest)
      },
      unpin() {
        stick.current = false
      }
    }
  }, [virtuoso])

  // The follow itself, not just a backstop: Virtuoso's followOutput only fires once the list has
  // reached its initial item, and a list remounted with dozens of rows in the middle of a burst
  // (an empty room whose first render already holds many messages) can miss that for good,
  // leaving the view on the first rows while the rest arrives. So a pinned view is taken to the
  // newest row here on every new message, and autoscrollToBottom covers rows that then measure
  // taller than estimated. Keyed on the newest entry so an older page arriving at the top never
  // yanks the reader down.
  useEffect(() => {
    if (newestOrder === undefined || !follow.following()) return
    virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
    virtuoso.current?.autoscrollToBottom()
  }, [newestOrder, follow, virtuoso])

  return follow
}
