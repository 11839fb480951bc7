import { useEffect, useRef, type RefObject } from 'react'
import type { VirtuosoHandle } from 'react-virtuoso'
import { useStore } from '../../store'
import type { ChannelLog } from '../../store/channel-log'
import type { FollowNewest } from './use-follow-newest'

/** Enough to reach a quoted message from a long way back, without paging through a whole archive. */
const JUMP_PAGES_MAX = 20
/** How long the original stays marked once the view reaches it. */
const FLASH_MS = 2000

/**
 * A reply's quote was clicked (`jump` in the store): scroll to the original and flash it, paging
 * back for it first when it is older than what is loaded (a bounded number of pages).
 */
export function useJumpToReply(
  channel: string,
  log: ChannelLog,
  firstItemIndex: number,
  virtuoso: RefObject<VirtuosoHandle | null>,
  follow: FollowNewest
): void {
  const jump = useStore((s) => (s.jump?.channel === channel ? s.jump : null))
  const loadOlder = useStore((s) => s.loadOlder)
  const entries = log.entries
  const jumpPages = useRef(0)
  useEffect(() => {
    jumpPages.current = 0
  }, [jump])
  useEffect(() => {
    if (!jump) return
    const index = entries.findIndex((e) => e.kind === 'message' && e.id === jump.id)
    if (index >= 0) {
      follow.unpin()
      follow.noteUserScroll()
      virtuoso.current?.scrollToIndex({ index: firstItemIndex + index, align: 'center' })
      const flashed = { channel, id: jump.id }
      useStore.setState({ jump: null, flashed })
      setTimeout(() => {
        if (useStore.getState().flashed === flashed) useStore.setState({ flashed: null })
      }, FLASH_MS)
      return undefined
    }
    if (log.hasMore && !log.loadingOlder && jumpPages.current < JUMP_PAGES_MAX) {
      jumpPages.current++
      loadOlder(channel)
    } else if (!log.hasMore) useStore.setState({ jump: null })
    return undefined
  }, [jump, entries, firstItemIndex, log.hasMore, log.loadingOlder, loadOlder, channel, follow, virtuoso])
}
