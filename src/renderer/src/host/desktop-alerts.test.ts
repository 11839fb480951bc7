import { describe, expect, it } from 'vitest'
import type { NotifyRequest, ParleyApi } from '../../../shared/ipc'
import { createAppStore } from '../store'
import type { ChannelLog, LogEntry } from '../store/channel-log'
import { immediateScheduler } from '../store/event-batcher'
import { createPreferencesStore } from '../store/preferences'
import { createLocalPreferences } from '../store/preferences-local'
import {
  collectAlerts,
  MAX_ALERTS_PER_UPDATE,
  mentions,
  startDesktopAlerts,
  totalUnread
} from './desktop-alerts'

const me = { id: 'u-me', nick: 'ada' }
const grace = { id: 'u-grace', nick: 'grace' }

function log(...entries: [number, { id: string; nick: string }, string][]): ChannelLog {
  return {
    entries: entries.map(([id, from, text]): LogEntry => ({
      kind: 'message',
      order: id,
      id,
      from,
      text,
      ts: id
    })),
    hasMore: false,
    loadingOlder: false,
    prepended: 0
  }
}

describe('mentions', () => {
  it('matches @nick as a word, in any case, and nothing else', () => {
    expect(mentions('hey @ada, look', 'ada')).toBe(true)
    expect(mentions('@ADA', 'ada')).toBe(true)
    expect(mentions('@adam is here', 'ada')).toBe(false)
    expect(mentions('mail ada@example.com', 'ada')).toBe(false)
    expect(mentions('ada without the at', 'ada')).toBe(false)
    expect(mentions('hi @a.b', 'a.b')).toBe(true)
    expect(mentions('hi @axb', 'a.b')).toBe(false)
  })
})

describe('collectAlerts', () => {
  it('treats a room seen for the first time as history, then alerts only new @mentions from others', () => {
    const seen = new Map<string, number>()
    expect(collectAlerts(seen, { general: log([1, grace, '@ada old news']) }, me)).toEqual([])
    const alerts = collectAlerts(
      seen,
      {
        general: log(
          [1, grace, '@ada old news'],
          [2, grace, 'no mention'],
          [3, grace, 'ping @ada'],
          [4, me, '@ada me']
        )
      },
      me
    )
    expect(alerts).toEqual([
      { kind: 'mention', title: 'grace in #general', body: 'ping @ada', target: { room: 'general' } }
    ])
    expect(collectAlerts(seen, { general: log([3, grace, 'ping @ada']) }, me)).toEqual([])
  })

  it('alerts the first DM from someone new, and each later one', () => {
    const seen = new Map<string, number>()
    expect(collectAlerts(seen, { '@u-grace': log([7, grace, 'psst']) }, me)).toEqual([
      { kind: 'dm', title: 'grace', body: 'psst', target: { dmUserId: 'u-grace' } }
    ])
    expect(
      collectAlerts(seen, { '@u-grace': log([7, grace, 'psst'], [8, me, 'yes?'], [9, grace, 'lunch?']) }, me)
    ).toEqual([{ kind: 'dm', title: 'grace', body: 'lunch?', target: { dmUserId: 'u-grace' } }])
  })

  it('keeps only the latest few alerts of a burst', () => {
    const seen = new Map<string, number>()
    const burst = log(
      ...Array.from({ length: 10 }, (_, i): [number, typeof grace, string] => [i + 1, grace, `m${i + 1}`])
    )
    const alerts = collectAlerts(seen, { '@u-grace': burst }, me)
    expect(alerts.map((a) => a.body)).toEqual(['m8', 'm9', 'm10'])
    expect(alerts).toHaveLength(MAX_ALERTS_PER_UPDATE)
  })

  it('sums unread counts for the badge', () => {
    expect(totalUnread({ general: 2, '@u-grace': 3, random: 0 })).toBe(5)
    expect(totalUnread({})).toBe(0)
  })
})

describe('startDesktopAlerts', () => {
  it('asks main for nothing while the "Desktop notifications" switch is off, and does not replay once on', () => {
    const asked: NotifyRequest[] = []
    // window.parley's app domain, faked because it needs Electron; typed by the contract.
    const api: Pick<ParleyApi, 'app'> = {
      app: {
        notify: (request) => {
          asked.push(request)
          return Promise.resolve({ shown: true })
        },
        setBadge: () => Promise.resolve({ applied: true }),
        info: () => Promise.resolve({ version: 'test', platform: 'test' }),
        onNotificationClicked: () => () => undefined
      }
    }
    const preferences = createPreferencesStore(createLocalPreferences(null))
    const store = createAppStore({
      createEngine: () => {
        throw new Error('not used')
      },
      schedule: immediateScheduler,
      now: () => 0,
      preferences
    })
    const stop = startDesktopAlerts(api, store, () => preferences.getState().notifications)
    void preferences.getState().set({ notifications: false })
    store.setState({ me, logs: { general: log([1, grace, 'hi']) } })
    store.setState({ logs: { general: log([1, grace, 'hi'], [2, grace, '@ada while off']) } })
    expect(asked).toEqual([])

    void preferences.getState().set({ notifications: true })
    store.setState({
      logs: { general: log([1, grace, 'hi'], [2, grace, '@ada while off'], [3, grace, '@ada now on']) }
    })
    expect(asked.map((alert) => alert.body)).toEqual(['@ada now on'])
    stop()
  })
})
