/**
 * The conversation of one channel as a virtual list (react-virtuoso): rows and dividers from
 * message-log/, and the hooks that decide where the view goes — follow the newest message,
 * a frame's "Go to message", a reply quote's jump back to the original.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react'
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso'
import { emptyLog, findMessageEntry, isDmKey, type ChannelLog, type LogEntry } from '../store/channel-log'
import { useStore } from '../store'
import { DayDivider, NewDivider } from './message-log/log-dividers'
import { LOG_COMPONENTS, type LogContext } from './message-log/log-edges'
import { startsDay, startsGroup, startsUnread } from './message-log/log-grouping'
import { MessageRow } from './message-log/message-row'
import { SystemRow } from './message-log/system-row'
import { useFollowNewest } from './message-log/use-follow-newest'
import { useHighlightedMessage } from './message-log/use-highlighted-message'
import { useJumpToReply } from './message-log/use-jump-to-reply'
import { useNickOf } from './message-log/use-nick-of'
import './message-log.css'

/** Virtuoso's index space starts high so older pages can be prepended below it (see firstItemIndex). */
const FIRST_INDEX = 1_000_000_000
const EMPTY_LOG: ChannelLog = emptyLog()

export function MessageLog({ channel }: { channel: string }) {
  const context = useMemo<LogContext>(() => ({ channel }), [channel])
  const log = useStore((s) => s.logs[channel] ?? EMPTY_LOG)
  const meId = useStore((s) => s.me?.id)
  const myNick = useStore((s) => s.me?.nick)
  const lastRead = useStore((s) => s.lastRead[channel])
  const loadOlder = useStore((s) => s.loadOlder)
  const outboxSize = useStore((s) => s.outbox.length)
  const editingId = useStore((s) => (s.editing?.channel === channel ? s.editing.id : undefined))
  const flashId = useStore((s) => (s.flashed?.channel === channel ? s.flashed.id : undefined))
  const nickOf = useNickOf(channel)
  const virtuoso = useRef<VirtuosoHandle>(null)
  const entries = log.entries
  const firstItemIndex = FIRST_INDEX - log.prepended
  const follow = useFollowNewest(virtuoso, entries.at(-1)?.order)
  const highlightedOrder = useHighlightedMessage(channel, entries, firstItemIndex, virtuoso, follow)

  // Sending something jumps to the newest message, even when reading older history.
  useEffect(() => {
    if (outboxSize > 0) virtuoso.current?.scrollToIndex({ index: 'LAST', align: 'end' })
  }, [outboxSize])

  useJumpToReply(channel, log, firstItemIndex, virtuoso, follow)

  const itemContent = useCallback(
    (index: number, entry: LogEntry) => {
      const previous = entries[index - firstItemIndex - 1]
      return (
        <>
          {startsDay(entry, previous) && <DayDivider ts={entry.ts} />}
          {startsUnread(entry, previous, lastRead) && <NewDivider />}
          {entry.kind === 'system' ? (
            <SystemRow entry={entry} />
          ) : (
            <MessageRow
              entry={entry}
              grouped={!startsGroup(entry, previous)}
              mine={entry.from.id === meId}
              myNick={myNick}
              editing={entry.id === editingId}
              flash={entry.id === flashId}
              actions={!isDmKey(channel)}
              original={entry.replyTo !== undefined ? findMessageEntry(entries, entry.replyTo) : undefined}
              nickOf={nickOf}
              channel={channel}
              highlighted={entry.order === highlightedOrder}
            />
          )}
        </>
      )
    },
    [entries, firstItemIndex, meId, myNick, lastRead, editingId, flashId, channel, nickOf, highlightedOrder]
  )

  return (
    <div
      role="log"
      aria-label="Messages"
      className="message-log"
      onWheelCapture={follow.noteUserScroll}
      onPointerDownCapture={follow.noteUserScroll}
      onTouchMoveCapture={follow.noteUserScroll}
      onKeyDownCapture={follow.noteUserScroll}
    >
      <Virtuoso<LogEntry, LogContext>
        // One list per channel, not remounted when the first messages arrive: a list remounted
        // mid-burst with dozens of rows waits to reach that initial row before it follows, and
        // its late scroll there could leave the view on the first rows for good. A room joined
        // before its history lands still opens at the newest message: the list is pinned, so
        // followOutput and useFollowNewest take it there as the rows arrive.
        key={channel}
        ref={virtuoso}
        data={entries}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={Math.max(0, entries.length - 1)}
        computeItemKey={(_, entry) => entry.order}
        itemContent={itemContent}
        followOutput={follow.followOutput}
        atBottomThreshold={80}
        // A short conversation sits at the bottom, next to the composer, as in every chat app.
        alignToBottom
        atBottomStateChange={follow.atBottomStateChange}
        startReached={() => loadOlder(channel)}
        increaseViewportBy={{ top: 400, bottom: 200 }}
        // Stable component types (context carries the channel): inline ones would remount on
        // every render and make the list lose its place at the bottom.
        context={context}
        components={LOG_COMPONENTS}
        style={{ height: '100%' }}
      />
    </div>
  )
}
