import { describe, expect, it } from 'vitest'
import { createNotifier, type NotifierDeps } from './notifier'
import type { NotifyRequest } from '../shared/ipc'

function setup(overrides: Partial<NotifierDeps> = {}) {
  const state = {
    focused: false,
    enabled: true,
    shown: [] as { title: string; body: string; click: () => void }[]
  }
  const clicked: NotifyRequest['target'][] = []
  const flashes: boolean[] = []
  const badges: number[] = []
  const notifier = createNotifier({
    isWindowFocused: () => state.focused,
    notificationsEnabled: () => state.enabled,
    isSupported: () => true,
    show: (options, onClick) => state.shown.push({ ...options, click: onClick }),
    setBadgeCount: (count) => {
      badges.push(count)
      return true
    },
    flashFrame: (flash) => flashes.push(flash),
    onClick: (target) => clicked.push(target),
    ...overrides
  })
  return { notifier, state, clicked, flashes, badges }
}

const dm: NotifyRequest = { kind: 'dm', title: 'ada', body: 'hi there', target: { dmUserId: 'u1' } }

describe('notifier', () => {
  it('shows a DM while unfocused and routes the click to its target', () => {
    const { notifier, state, clicked } = setup()
    expect(notifier.notify(dm)).toEqual({ shown: true })
    expect(state.shown).toHaveLength(1)
    expect(state.shown[0]).toMatchObject({ title: 'ada', body: 'hi there' })
    state.shown[0]!.click()
    expect(clicked).toEqual([{ dmUserId: 'u1' }])
  })

  it('stays quiet while the window has focus, or when notifications are off, or unsupported', () => {
    const { notifier, state } = setup()
    state.focused = true
    expect(notifier.notify(dm)).toEqual({ shown: false, skipped: 'focused' })
    state.focused = false
    state.enabled = false
    expect(notifier.notify(dm)).toEqual({ shown: false, skipped: 'disabled' })
    expect(state.shown).toHaveLength(0)
    const unsupported = setup({ isSupported: () => false })
    expect(unsupported.notifier.notify(dm)).toEqual({ shown: false, skipped: 'unsupported' })
  })

  it('sets the badge count where the platform has one', () => {
    const { notifier, badges, flashes } = setup()
    expect(notifier.setBadge(3)).toEqual({ applied: true })
    expect(notifier.setBadge(0)).toEqual({ applied: true })
    expect(badges).toEqual([3, 0])
    expect(flashes).toEqual([])
  })

  it('flashes the taskbar instead where there is no badge, and stops at zero', () => {
    const { notifier, flashes } = setup({ setBadgeCount: () => false })
    expect(notifier.setBadge(2)).toEqual({ applied: false })
    notifier.setBadge(2)
    notifier.setBadge(0)
    expect(flashes).toEqual([true, false])
  })
})
