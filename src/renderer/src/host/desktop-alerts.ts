/**
 * Desktop notifications and the unread badge, fed from the chat store. Main decides whether a
 * notification actually shows (only while the window is unfocused and notifications are on);
 * this module decides what deserves one: a direct message, or a room message that @mentions you.
 */
import type { ParleyApi, NotifyRequest } from '../../../shared/ipc'
import type { User } from '../../../shared/protocol'
import type { AppStore, StoreState } from '../store'
import { dmKey, isDmKey, type ChannelKey, type ChannelLog } from '../store/channel-log'

/** A burst (a resume replaying missed DMs) shows a few banners, not dozens. */
export const MAX_ALERTS_PER_UPDATE = 3

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function mentions(text: string, nick: string): boolean {
  if (!nick) return false
  return new RegExp(`(^|[^\\p{L}\\p{N}_])@${escapeRegExp(nick)}(?![\\p{L}\\p{N}_])`, 'iu').test(text)
}

function lastMessageId(log: ChannelLog): number {
  for (let i = log.entries.length - 1; i >= 0; i--) {
    const entry = log.entries[i]
    if (entry?.kind === 'message') return entry.id
  }
  return -1
}

/**
 * The alerts for messages that arrived since `seen` (the last message id per channel), updating
 * `seen`. A room seen for the first time is its join history: nothing to alert. A DM
 * conversation seen for the first time is someone writing to you: alert.
 */
export function collectAlerts(
  seen: Map<ChannelKey, number>,
  logs: Record<ChannelKey, ChannelLog>,
  me: User
): NotifyRequest[] {
  const alerts: NotifyRequest[] = []
  for (const [key, log] of Object.entries(logs)) {
    const dm = isDmKey(key)
    const previous = seen.get(key) ?? (dm ? -1 : undefined)
    seen.set(key, Math.max(previous ?? -1, lastMessageId(log)))
    if (previous === undefined) continue
    for (const entry of log.entries) {
      if (entry.kind !== 'message' || entry.id <= previous || entry.from.id === me.id) continue
      if (dm) {
        alerts.push({
          kind: 'dm',
          title: entry.from.nick,
          body: entry.text,
          target: { dmUserId: key.slice(1) }
        })
      } else if (mentions(entry.text, me.nick)) {
        alerts.push({
          kind: 'mention',
          title: `${entry.from.nick} in #${key}`,
          body: entry.text,
          target: { room: key }
        })
      }
    }
  }
  return alerts.slice(-MAX_ALERTS_PER_UPDATE)
}

export function totalUnread(unread: StoreState['unread']): number {
  return Object.values(unread).reduce((sum, count) => sum + count, 0)
}

/**
 * Wires the chat store to main's notifications and badge; returns the function that unwires it.
 * `notificationsEnabled` is the person's switch: when off, nothing is even asked of main (which
 * checks the same setting again, for any other caller). The badge stays: it is not an interruption.
 */
export function startDesktopAlerts(
  api: Pick<ParleyApi, 'app'>,
  store: AppStore,
  notificationsEnabled: () => boolean
): () => void {
  let seen = new Map<ChannelKey, number>()
  let sessionUserId: string | null = null
  let badge = 0
  const offStore = store.subscribe((state, previous) => {
    const userId = state.me?.id ?? null
    if (userId !== sessionUserId) {
      // Another session (or server): its history is not news.
      sessionUserId = userId
      seen = new Map(Object.keys(state.logs).map((key) => [key, lastMessageId(state.logs[key]!)]))
    } else if (state.me && state.logs !== previous.logs) {
      // Collected either way, so switching notifications back on does not replay old messages.
      const alerts = collectAlerts(seen, state.logs, state.me)
      if (notificationsEnabled()) {
        for (const alert of alerts) void api.app.notify(alert).catch(() => undefined)
      }
    }
    if (state.unread !== previous.unread) {
      const count = totalUnread(state.unread)
      if (count !== badge) {
        badge = count
        void api.app.setBadge({ count }).catch(() => undefined)
      }
    }
  })
  const offClick = api.app.onNotificationClicked((target) => {
    store.getState().selectChannel('room' in target ? target.room : dmKey(target.dmUserId))
  })
  return () => {
    offStore()
    offClick()
  }
}
