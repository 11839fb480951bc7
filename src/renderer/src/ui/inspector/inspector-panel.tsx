import { ServerConnectionsTab, canHost } from '../../host'
import { useStore, type InspectorTab } from '../../store'
import { FramesTab } from './frames-tab'
import { OverviewTab } from './overview-tab'
import { ToolsTab } from './tools-tab'
import './inspector.css'

const TABS: { id: InspectorTab; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'frames', label: 'Frames' },
  { id: 'tools', label: 'Tools' },
  { id: 'server', label: 'Server' }
]

export function InspectorPanel() {
  const tab = useStore((s) => s.inspectorTab)
  const setTab = useStore((s) => s.setInspectorTab)
  const close = useStore((s) => s.toggleInspector)
  // Hosting is a desktop feature: the Server tab exists only with the desktop bridge.
  const tabs = canHost ? TABS : TABS.filter((t) => t.id !== 'server')

  return (
    <section className="inspector" aria-label="Connection inspector">
      <header className="inspector-header">
        <h2>Connection inspector</h2>
        <div role="tablist" aria-label="Inspector views" className="tabs">
          {tabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`inspector-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls="inspector-tabpanel"
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return
                const i = tabs.findIndex((x) => x.id === tab)
                const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]
                if (next) {
                  setTab(next.id)
                  document.getElementById(`inspector-tab-${next.id}`)?.focus()
                }
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="icon"
          aria-label="Close inspector"
          title="Close (Esc)"
          onClick={() => close(false)}
        >
          ×
        </button>
      </header>
      <div
        role="tabpanel"
        id="inspector-tabpanel"
        aria-labelledby={`inspector-tab-${tab}`}
        className="inspector-body"
      >
        {tab === 'overview' && <OverviewTab />}
        {tab === 'frames' && <FramesTab />}
        {tab === 'tools' && <ToolsTab />}
        {tab === 'server' && <ServerConnectionsTab />}
      </div>
    </section>
  )
}
