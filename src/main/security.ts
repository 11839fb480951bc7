/**
 * Every hardening rule of the app, in one place. Each rule names the item of Electron's security
 * checklist (https://www.electronjs.org/docs/latest/tutorial/security) it enforces. The functions
 * take their Electron objects as parameters so security.test.ts checks them against fakes.
 */
import type { Session, WebContents, WebPreferences } from 'electron'

export const APP_SCHEME = 'parley'
export const APP_ORIGIN = `${APP_SCHEME}://app`

/**
 * webPreferences for every window. The preload is the bundled CommonJS file, which is what lets
 * the sandbox stay on (a sandboxed preload cannot require node_modules).
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    // Checklist 3: context isolation, so the page cannot reach the preload's globals.
    contextIsolation: true,
    // Checklist 4: sandbox the renderer process.
    sandbox: true,
    // Checklist 2: no Node.js in the page (nor in workers or subframes).
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Checklist 6: keep the same-origin policy.
    webSecurity: true,
    // Checklist 7: never load http content into an https/custom-scheme page.
    allowRunningInsecureContent: false,
    // Checklist 9: no experimental Blink features.
    experimentalFeatures: false,
    // Checklist 12: no <webview>.
    webviewTag: false,
    spellcheck: true
  }
}

// Checklist 8 (a Content Security Policy) lives in shared/ because the headless server serves the
// same policy with the web client; re-exported here so every hardening rule is reachable from
// this one file.
export { contentSecurityPolicy, type CspOptions } from '../shared/content-security-policy'

/** True for the app's own pages: parley://app/… in production, the dev server in development. */
export function createTrustedUrlCheck(devServerUrl?: string): (url: string) => boolean {
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : null
  return (url) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    if (parsed.protocol === `${APP_SCHEME}:`) return parsed.host === 'app'
    return devOrigin !== null && parsed.origin === devOrigin
  }
}

/** Checklist 14: only http(s) links leave the app, and they open in the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}

type PermissionName = Parameters<Parameters<Session['setPermissionRequestHandler']>[0] & object>[1]

/**
 * Permissions our own page needs. Copying a server address needs the clipboard; talking to chat
 * servers on this machine or the LAN is Chromium's Local Network Access. Everything else
 * (camera, geolocation, notifications from the page, …) is denied: main shows notifications.
 */
const GRANTED_TO_APP = new Set<PermissionName>([
  'clipboard-sanitized-write',
  'local-network-access',
  'local-network',
  'loopback-network'
])

export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  isTrustedUrl: (url: string) => boolean
): boolean {
  return GRANTED_TO_APP.has(permission as PermissionName) && isTrustedUrl(requestingUrl)
}

export interface SessionSecurityOptions {
  isTrustedUrl: (url: string) => boolean
  csp: string
}

/** Checklist 5: handle permission requests (deny by default); checklist 8: CSP as a response header. */
export function hardenSession(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'>,
  options: SessionSecurityOptions
): void {
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(
      isPermissionAllowed(permission, details.requestingUrl ?? webContents.getURL(), options.isTrustedUrl)
    )
  })
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, options.isTrustedUrl)
  )
  // The dev server's responses get the header here; parley:// responses carry it themselves.
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders }
    if (details.resourceType === 'mainFrame' && options.isTrustedUrl(details.url)) {
      headers['Content-Security-Policy'] = [options.csp]
    }
    callback({ responseHeaders: headers })
  })
}

export interface WebContentsSecurityOptions {
  isTrustedUrl: (url: string) => boolean
  openExternal: (url: string) => void
}

type HardenableWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/**
 * Applied to every webContents the app creates (app 'web-contents-created'), so no window or
 * frame escapes the rules.
 */
export function hardenWebContents(
  contents: HardenableWebContents,
  options: WebContentsSecurityOptions
): void {
  // Checklist 13: no navigation away from the app; links open in the system browser instead.
  contents.on('will-navigate', (event, url) => {
    if (options.isTrustedUrl(url)) return
    event.preventDefault()
    if (isSafeExternalUrl(url)) options.openExternal(url)
  })
  contents.on('will-redirect', (event, url) => {
    if (!options.isTrustedUrl(url)) event.preventDefault()
  })
  // Checklist 12: refuse <webview> even if the tag were somehow enabled.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
  // Checklist 14: no new windows; http(s) links go to the system browser, everything else nowhere.
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) options.openExternal(url)
    return { action: 'deny' }
  })
}
