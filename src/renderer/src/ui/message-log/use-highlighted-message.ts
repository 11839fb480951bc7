import { useEffect, useMemo, type RefObject } from 'react'
import type { VirtuosoHandle } from 'react-virtuoso'
import { useStore } from '../../store'
import type { LogEntry } from '../../store/channel-log'
import type { FollowNewest } from './use-follow-newest'

/**
 * A frame's "Go to message" (the inspector): brings that message into view and returns its
 * `order`, so its row can be marked.
 */
export function useHighlightedMessage(
  channel: string,
  entries: LogEntry[],
  firstItemIndex: number,
  virtuoso: RefObject<VirtuosoHandle | null>,
  follow: FollowNewest
): number | undefined {
  const highlight = useStore((s) => (s.highlightedMessage?.channel === channel ? s.highlightedMessage : null))
  const highlightedOrder = useMemo(() => {
    if (!highlight) return undefined
    const found = entries.find(
      (e) =>
        e.kind === 'message' &&
        ((highlight.id !== undefined && e.id === highlight.id) ||
          (highlight.cid !== undefined && e.cid === highlight.cid))
    )
    return found?.order
  }, [highlight, entries])
  useEffect(() => {
    if (highlightedOrder === undefined) return
    const index = entries.findIndex((e) => e.order === highlightedOrder)
    if (index < 0) return
    follow.unpin()
    virtuoso.current?.scrollToIndex({ index: index + firstItemIndex, align: 'center' })
    // Keyed on the click (`at`), not on the list: new messages must not pull the view back here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [highlight?.at, highlightedOrder])
  return highlightedOrder
}
