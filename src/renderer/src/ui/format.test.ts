import { describe, expect, it } from 'vitest'
import { dayKey, formatDay, formatDuration } from './format'

describe('formatDay', () => {
  const now = new Date(2026, 10, 23, 15, 0).getTime()
  it('names today and yesterday, and dates anything older', () => {
    expect(formatDay(new Date(2026, 10, 23, 0, 5).getTime(), now)).toBe('Today')
    expect(formatDay(new Date(2026, 10, 22, 23, 59).getTime(), now)).toBe('Yesterday')
    expect(formatDay(new Date(2026, 10, 20, 12, 0).getTime(), now)).toMatch(/20/)
  })

  it('compares local calendar days', () => {
    expect(dayKey(new Date(2026, 0, 1, 0, 0).getTime())).not.toBe(
      dayKey(new Date(2025, 11, 31, 23, 59).getTime())
    )
  })
})

describe('formatDuration', () => {
  it('switches units as durations grow', () => {
    expect(formatDuration(250)).toBe('250 ms')
    expect(formatDuration(4400)).toBe('4.4 s')
    expect(formatDuration(125_000)).toBe('2 min 5 s')
  })
})
