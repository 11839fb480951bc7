/**
 * Hosting UI for the desktop app. Both components render nothing in the web client, where there
 * is no desktop bridge (window.parley) to host with.
 */
import { createElement } from 'react'
import { useStore } from '../store'
import { appPreferences } from '../store/app-preferences'
import { startDesktopAlerts } from './desktop-alerts'
import { hostStore } from './host-store'
import { HostPanelView } from './host-panel'
import { ServerConnectionsTabView } from './server-connections-tab'
import './host.css'

export function HostPanel() {
  return hostStore ? createElement(HostPanelView, { store: hostStore }) : null
}

export function ServerConnectionsTab() {
  return hostStore ? createElement(ServerConnectionsTabView, { store: hostStore }) : null
}

// Notifications and the badge run for the app's lifetime, outside React.
if (typeof window !== 'undefined' && window.parley)
  startDesktopAlerts(window.parley, useStore, () => appPreferences.getState().notifications)

/** True in the desktop app: lets the inspector decide whether to show its "Server" tab. */
export const canHost = hostStore !== null
