import { describe, expect, it } from 'vitest'
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  createTrustedUrlCheck,
  hardenSession,
  hardenWebContents,
  isPermissionAllowed,
  secureWebPreferences
} from './security'
import { FakeWebContents } from '../../test-support/fake-electron'

const isTrustedUrl = createTrustedUrlCheck()

describe('webPreferences of every window', () => {
  it('keeps isolation, sandbox and web security on and Node off, with the bundled CJS preload', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false
    })
    expect(prefs.preload).toMatch(/\.cjs$/)
  })
})

describe('trusted URLs', () => {
  it('trusts only parley://app in production', () => {
    expect(isTrustedUrl(`${APP_ORIGIN}/`)).toBe(true)
    expect(isTrustedUrl(`${APP_ORIGIN}/index.html#/rooms`)).toBe(true)
    expect(isTrustedUrl('parley://evil/')).toBe(false)
    expect(isTrustedUrl('http://localhost:5173/')).toBe(false)
    expect(isTrustedUrl('file:///etc/passwd')).toBe(false)
    expect(isTrustedUrl('not a url')).toBe(false)
  })

  it('also trusts the dev server origin in development, and nothing on another port', () => {
    const dev = createTrustedUrlCheck('http://localhost:5173')
    expect(dev('http://localhost:5173/src/main.tsx')).toBe(true)
    expect(dev('http://localhost:5174/')).toBe(false)
    expect(dev(`${APP_ORIGIN}/`)).toBe(true)
  })
})

describe('navigation and window-open handlers', () => {
  function hardened() {
    const contents = new FakeWebContents()
    const opened: string[] = []
    hardenWebContents(contents as never, { isTrustedUrl, openExternal: (url) => opened.push(url) })
    return { contents, opened }
  }

  it('blocks navigation away from the app and sends http(s) links to the system browser', () => {
    const { contents, opened } = hardened()
    expect(contents.emitPreventable('will-navigate', 'https://example.com/')).toBe(true)
    expect(contents.emitPreventable('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(contents.emitPreventable('will-navigate', 'javascript:alert(1)')).toBe(true)
    expect(contents.emitPreventable('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false)
    expect(opened).toEqual(['https://example.com/'])
  })

  it('blocks redirects off the app and every <webview>', () => {
    const { contents } = hardened()
    expect(contents.emitPreventable('will-redirect', 'https://example.com/')).toBe(true)
    expect(contents.emitPreventable('will-attach-webview', {}, {})).toBe(true)
  })

  it('denies every new window; http(s) goes to the system browser, other schemes nowhere', () => {
    const { contents, opened } = hardened()
    const open = contents.windowOpenHandler!
    expect(open({ url: 'https://example.com/a' })).toEqual({ action: 'deny' })
    expect(open({ url: 'http://192.168.1.2:8080/' })).toEqual({ action: 'deny' })
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(open({ url: 'smb://host/share' })).toEqual({ action: 'deny' })
    expect(open({ url: `${APP_ORIGIN}/` })).toEqual({ action: 'deny' })
    expect(opened).toEqual(['https://example.com/a', 'http://192.168.1.2:8080/'])
  })
})

describe('session: permissions and CSP', () => {
  function hardenedSession() {
    const calls: {
      request?: (...args: never[]) => void
      check?: (...args: never[]) => boolean
      headers?: (details: unknown, callback: (response: unknown) => void) => void
    } = {}
    const session = {
      setPermissionRequestHandler: (handler: never) => (calls.request = handler),
      setPermissionCheckHandler: (handler: never) => (calls.check = handler),
      webRequest: { onHeadersReceived: (handler: never) => (calls.headers = handler) }
    }
    hardenSession(session as never, { isTrustedUrl, csp: contentSecurityPolicy() })
    return calls
  }

  function request(calls: ReturnType<typeof hardenedSession>, permission: string, url: string): boolean {
    let granted: boolean | undefined
    const contents = { getURL: () => url }
    ;(calls.request as unknown as (...args: unknown[]) => void)(
      contents,
      permission,
      (g: boolean) => (granted = g),
      {
        requestingUrl: url
      }
    )
    return granted!
  }

  it('denies permission requests by default, even from the app', () => {
    const calls = hardenedSession()
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'display-capture',
      'usb'
    ]) {
      expect(request(calls, permission, `${APP_ORIGIN}/`)).toBe(false)
    }
  })

  it('grants the app only clipboard writes and local-network access, and nothing to other origins', () => {
    const calls = hardenedSession()
    expect(request(calls, 'clipboard-sanitized-write', `${APP_ORIGIN}/`)).toBe(true)
    expect(request(calls, 'local-network-access', `${APP_ORIGIN}/`)).toBe(true)
    expect(request(calls, 'clipboard-sanitized-write', 'https://example.com/')).toBe(false)
    expect(isPermissionAllowed('local-network-access', 'https://example.com/', isTrustedUrl)).toBe(false)
    const check = calls.check as unknown as (...args: unknown[]) => boolean
    expect(check(null, 'media', APP_ORIGIN, {})).toBe(false)
    expect(check(null, 'clipboard-sanitized-write', APP_ORIGIN, {})).toBe(true)
  })

  it('adds the CSP header to the app page responses only', () => {
    const calls = hardenedSession()
    const respond = (url: string, resourceType: string) => {
      let out: { responseHeaders: Record<string, string[]> } | undefined
      calls.headers!({ url, resourceType, responseHeaders: { 'X-A': ['1'] } }, (r) => (out = r as never))
      return out!.responseHeaders
    }
    expect(respond(`${APP_ORIGIN}/`, 'mainFrame')['Content-Security-Policy']).toEqual([
      contentSecurityPolicy()
    ])
    expect(respond('https://example.com/', 'mainFrame')['Content-Security-Policy']).toBeUndefined()
    expect(respond(`${APP_ORIGIN}/`, 'mainFrame')['X-A']).toEqual(['1'])
  })

  it('has a CSP that allows only own scripts, and connections and pictures from chat servers', () => {
    const csp = contentSecurityPolicy()
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/)
    expect(csp).not.toMatch(/script-src[^;]*https?:/)
    // Uploads (POST /api/files) and attached pictures go to the server the person connected to.
    expect(csp).toContain("connect-src 'self' ws: wss: http: https:")
    expect(csp).toContain("img-src 'self' data: http: https:")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    const dev = contentSecurityPolicy({ devServerOrigin: 'http://localhost:5173' })
    expect(dev).toContain('ws://localhost:5173')
  })
})
