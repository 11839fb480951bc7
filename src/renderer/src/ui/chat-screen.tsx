import { useCallback, useEffect, useState } from 'react'
import { useUploads } from '../files/upload-store'
import { useFileDrop } from '../files/use-file-drop'
import { useUploadTarget } from '../files/use-upload-target'
import { ModerationOutcome } from '../moderation/moderate-member'
import { isDmKey } from '../store/channel-log'
import { useStore } from '../store'
import { selectChannelLabel, selectMemberCount } from '../store/selectors'
import { Composer } from './composer'
import { ConnectionStatus } from './connection-status'
import { InspectorPanel } from './inspector/inspector-panel'
import { MembersList } from './members-list'
import { MessageLog } from './message-log'
import { PreferencesControls } from './preferences-controls'
import { RoomsNav } from './rooms-nav'
import { SearchBox, SearchResults } from './search'
import { TypingIndicator } from './typing-indicator'
import './chat-screen.css'

function ChannelTitle() {
  const label = useStore(selectChannelLabel)
  const members = useStore(selectMemberCount)
  return (
    <h1 className="channel-title">
      {label ? <bdi>{label}</bdi> : 'No room'}
      {members !== undefined && <span className="muted small"> · {members.toLocaleString()} here</span>}
    </h1>
  )
}

function ProblemBanner() {
  const problem = useStore((s) => s.problem)
  const reconnectNow = useStore((s) => s.reconnectNow)
  const disconnect = useStore((s) => s.disconnect)
  if (!problem) return null
  return (
    <div className="banner" role="alert">
      <strong>{problem.title}.</strong> {problem.detail}
      {problem.canRetry && (
        <button type="button" onClick={reconnectNow}>
          Reconnect
        </button>
      )}
      <button type="button" className="link" onClick={disconnect}>
        Back to sign-in
      </button>
    </div>
  )
}

function Notice() {
  const notice = useStore((s) => s.notice)
  const dismiss = useStore((s) => s.dismissNotice)
  if (!notice) return null
  return (
    <div className="notice" role="alert">
      {notice.message} <span className="muted small">({notice.code})</span>
      <button type="button" className="icon" aria-label="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  )
}

type Drawer = 'rooms' | 'members' | null

/**
 * On a phone the room list and the member list are drawers over the conversation, opened from
 * the header; Escape, a tap outside or picking a channel closes them. On wider screens they are
 * columns and the buttons are hidden (chat-screen.css).
 */
function useDrawer(): [Drawer, (next: Drawer) => void] {
  // A drawer belongs to the channel it was opened on: picking another one closes it.
  const [opened, setOpened] = useState<{ drawer: Drawer; on: string | null }>({ drawer: null, on: null })
  const current = useStore((s) => s.current)
  const drawer = opened.on === current ? opened.drawer : null
  const setDrawer = useCallback((next: Drawer) => setOpened({ drawer: next, on: current }), [current])
  useEffect(() => {
    if (!drawer) return undefined
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setDrawer(null)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [drawer, setDrawer])
  return [drawer, setDrawer]
}

export function ChatScreen() {
  const current = useStore((s) => s.current)
  const inspectorOpen = useStore((s) => s.inspectorOpen)
  const toggleInspector = useStore((s) => s.toggleInspector)
  const disconnect = useStore((s) => s.disconnect)
  const me = useStore((s) => s.me)
  const serverName = useStore((s) => s.server?.name)
  const dm = current !== null && isDmKey(current)
  const [drawer, setDrawer] = useDrawer()
  const hasMembers = !dm && current !== null
  const searching = useStore((s) => s.search !== null)
  const uploadTarget = useUploadTarget()
  const addUploads = useUploads((s) => s.add)
  const drop = useFileDrop(
    (files) => {
      if (current && uploadTarget) addUploads(current, files, uploadTarget)
    },
    current !== null && uploadTarget !== null
  )

  return (
    <div
      className={`chat-layout${inspectorOpen ? ' with-inspector' : ''}${drawer ? ` drawer-${drawer}` : ''}`}
    >
      {drawer && <div className="drawer-backdrop" aria-hidden="true" onClick={() => setDrawer(null)} />}
      <div className="sidebar-column" id="rooms-drawer">
        <div className="workspace">
          <div className="workspace-name" title={serverName} dir="auto">
            {serverName ?? 'Parley'}
          </div>
          <div className="muted small">
            {me && (
              <>
                signed in as <bdi>{me.nick}</bdi>
              </>
            )}
          </div>
        </div>
        <RoomsNav />
        <PreferencesControls />
      </div>
      <main className={`conversation${drop.dragging ? ' dropping' : ''}`} {...drop.handlers}>
        <header className="conversation-header">
          <button
            type="button"
            className="drawer-button"
            aria-controls="rooms-drawer"
            aria-expanded={drawer === 'rooms'}
            onClick={() => setDrawer(drawer === 'rooms' ? null : 'rooms')}
          >
            Rooms
          </button>
          <ChannelTitle />
          {hasMembers && (
            <button
              type="button"
              className="drawer-button"
              aria-controls="members-drawer"
              aria-expanded={drawer === 'members'}
              onClick={() => setDrawer(drawer === 'members' ? null : 'members')}
            >
              Members
            </button>
          )}
          <div className="header-tools">
            <SearchBox />
            <ConnectionStatus />
            <button
              type="button"
              aria-pressed={inspectorOpen}
              aria-keyshortcuts="Control+Shift+I"
              title="Connection inspector (Ctrl+Shift+I)"
              onClick={() => toggleInspector()}
            >
              Inspector
            </button>
            <button type="button" className="link" onClick={disconnect}>
              Sign out
            </button>
          </div>
        </header>
        <ProblemBanner />
        <Notice />
        <ModerationOutcome />
        {current ? (
          <>
            <MessageLog channel={current} />
            {!dm && <TypingIndicator room={current} />}
            <Composer channel={current} placeholder={dm ? 'Message directly' : `Message #${current}`} />
          </>
        ) : (
          <div className="empty muted">Join a room to start talking.</div>
        )}
        {drop.dragging && (
          <div className="drop-hint" aria-hidden="true">
            Drop files to attach them
          </div>
        )}
      </main>
      {hasMembers && !searching && <MembersList />}
      <SearchResults />
      {inspectorOpen && <InspectorPanel />}
    </div>
  )
}
