/**
 * Native notifications for DMs and mentions while the window is unfocused, and the unread count
 * on the dock/taskbar badge. The Electron calls come in as dependencies (see index.ts).
 */
import type { NotifyRequest, InvokeResponse } from '../shared/ipc'

export interface NotifierDeps {
  isWindowFocused(): boolean
  notificationsEnabled(): boolean
  /** Electron's Notification.isSupported(). */
  isSupported(): boolean
  /** Shows one notification; `onClick` runs when the person clicks it. */
  show(options: { title: string; body: string }, onClick: () => void): void
  /** app.setBadgeCount: false where the platform has no badge (Windows, most Linux desktops). */
  setBadgeCount(count: number): boolean
  /** Where there is no badge, flash the taskbar entry instead (Windows' way of saying "unread"). */
  flashFrame?(flash: boolean): void
  /** A click focuses the window and tells the renderer where to go. */
  onClick(target: NotifyRequest['target']): void
}

export interface Notifier {
  notify(request: NotifyRequest): InvokeResponse<'app:notify'>
  setBadge(count: number): InvokeResponse<'app:set-badge'>
}

export function createNotifier(deps: NotifierDeps): Notifier {
  let lastCount = 0
  return {
    notify(request) {
      if (!deps.notificationsEnabled()) return { shown: false, skipped: 'disabled' }
      // The person is looking at the app: a banner would only repeat what is on screen.
      if (deps.isWindowFocused()) return { shown: false, skipped: 'focused' }
      if (!deps.isSupported()) return { shown: false, skipped: 'unsupported' }
      deps.show({ title: request.title, body: request.body }, () => deps.onClick(request.target))
      return { shown: true }
    },
    setBadge(count) {
      const applied = deps.setBadgeCount(count)
      if (!applied && deps.flashFrame) {
        if (count > lastCount && !deps.isWindowFocused()) deps.flashFrame(true)
        if (count === 0) deps.flashFrame(false)
      }
      lastCount = count
      return { applied }
    }
  }
}
