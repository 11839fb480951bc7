/**
 * The first screen: join a server (the form, servers seen on the LAN, recent ones), host one
 * (desktop only), or open the WebSocket client.
 */
import { useEffect } from 'react'
import { displayServerAddress } from '../engine/server-address'
import { HostPanel } from '../host'
import { useStore } from '../store'
import { useWsClient } from '../ws-client/ws-client-store'
import { JoinForm } from './connect/join-form'
import { resumeLastSession } from './connect/resume-last-session'
import { useJoinForm } from './connect/use-join-form'
import { InspectorPanel } from './inspector/inspector-panel'
import { LanServers } from './lan-servers'
import { PreferencesControls } from './preferences-controls'
import { RecentServers } from './recent-servers'
import './connect-screen.css'

export function ConnectScreen() {
  useEffect(resumeLastSession, [])
  const hasEngine = useStore((s) => s.engine !== null)
  const inspectorOpen = useStore((s) => s.inspectorOpen)
  const form = useJoinForm()

  return (
    <main className="connect-screen">
      <div className="connect-card">
        <h1 className="brand">Parley</h1>
        <p className="muted">Join a chat server on your network.</p>
        <JoinForm form={form} />
        <LanServers
          onPick={(server) => {
            form.setAddress(displayServerAddress(server.url))
            form.clearError()
          }}
        />
        <RecentServers
          onPick={(pickedAddress, pickedNick) => {
            form.setAddress(pickedAddress)
            form.setNick(pickedNick)
          }}
        />
        <section aria-label="Other tools" className="other-tools">
          <button type="button" onClick={() => useWsClient.getState().setVisible(true)}>
            WebSocket client
          </button>
          <span className="muted small">Open any ws:// server and inspect its frames.</span>
        </section>
        <PreferencesControls />
      </div>
      <HostPanel />
      {inspectorOpen && hasEngine && (
        <div className="inspector-drawer">
          <InspectorPanel />
        </div>
      )}
    </main>
  )
}
