import { describe, expect, it } from 'vitest'
import { mergeEntries, messageEntry, systemEntry, type LogEntry } from './channel-log'

const bob = { id: 'u2', nick: 'bob' }
const msg = (id: number) => messageEntry({ room: 'general', id, from: bob, text: `m${id}`, ts: id })
const ids = (entries: LogEntry[]) => entries.map((e) => (e.kind === 'message' ? e.id : `sys:${e.text}`))

describe('mergeEntries', () => {
  it('merges a resume replay that overlaps what is shown, without duplicates', () => {
    const entries = [msg(1), msg(2), msg(3)]
    const result = mergeEntries(entries, [msg(2), msg(3), msg(4), msg(5)])
    expect(ids(entries)).toEqual([1, 2, 3, 4, 5])
    expect(result).toEqual({ added: 2, prepended: 0 })
  })

  it('prepends an older page and counts it, and slots a gap page into the middle', () => {
    const entries = [msg(10), msg(20)]
    expect(mergeEntries(entries, [msg(5), msg(7), msg(10)])).toEqual({ added: 2, prepended: 2 })
    mergeEntries(entries, [msg(15), msg(12)])
    expect(ids(entries)).toEqual([5, 7, 10, 12, 15, 20])
  })

  it('keeps system lines where they happened as messages arrive around them', () => {
    const entries: LogEntry[] = [msg(1)]
    entries.push(systemEntry(entries, 'bob joined', 0))
    entries.push(systemEntry(entries, 'carol joined', 0))
    mergeEntries(entries, [msg(2), msg(1)])
    expect(ids(entries)).toEqual([1, 'sys:bob joined', 'sys:carol joined', 2])
  })
})
