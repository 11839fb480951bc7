import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSettingsStore, DEFAULT_SETTINGS } from './settings-store'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-settings-'))
  file = join(dir, 'settings.json')
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('settings store', () => {
  it('starts from defaults when there is no file, without reporting a problem', () => {
    const store = createSettingsStore({ file })
    expect(store.get()).toEqual(DEFAULT_SETTINGS)
    expect(store.get()).toMatchObject({
      nickname: '',
      theme: 'system',
      notifications: true,
      recentServers: []
    })
    expect(store.problem).toBeUndefined()
  })

  it('saves an update atomically and loads it back in a new store', () => {
    const store = createSettingsStore({ file })
    const seen: string[] = []
    const off = store.onChange((s) => seen.push(s.nickname))
    store.update({ nickname: 'ada', theme: 'dark' })
    store.update({
      recentServers: [
        {
          url: 'ws://127.0.0.1:8080/ws',
          nick: 'ada',
          lastUsedAt: 1,
          lastSession: { token: 't', resume: { general: 4, '@dm': 2 } }
        }
      ]
    })
    off()
    store.update({ notifications: false })
    expect(seen).toEqual(['ada', 'ada'])
    expect(readdirSync(dir)).toEqual(['settings.json'])
    const again = createSettingsStore({ file })
    expect(again.get()).toMatchObject({ nickname: 'ada', theme: 'dark', notifications: false })
    expect(again.get().recentServers[0]?.lastSession?.resume).toEqual({ general: 4, '@dm': 2 })
    expect(again.problem).toBeUndefined()
  })

  it('remembers window bounds, which the renderer cannot set', () => {
    const store = createSettingsStore({ file })
    store.setWindowBounds({ x: 10, y: 20, width: 900, height: 700, maximized: true })
    expect(createSettingsStore({ file }).get().windowBounds).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 700,
      maximized: true
    })
    expect(() => store.update({ windowBounds: { width: 1, height: 1 } } as never)).toThrow()
  })

  it('rejects a patch that would make the file invalid and leaves the file as it was', () => {
    const store = createSettingsStore({ file })
    store.update({ nickname: 'ada' })
    expect(() => store.update({ theme: 'neon' } as never)).toThrow()
    expect(JSON.parse(readFileSync(file, 'utf8')).theme).toBe('system')
    expect(store.get().theme).toBe('system')
  })

  it('fills in defaults for fields an older file does not have', () => {
    writeFileSync(file, JSON.stringify({ nickname: 'grace' }))
    const store = createSettingsStore({ file })
    expect(store.problem).toBeUndefined()
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, nickname: 'grace' })
  })

  it('reports a file that is not JSON, backs it up and replaces it with defaults', () => {
    writeFileSync(file, '{"nickname": "ada",')
    const store = createSettingsStore({ file, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) })
    expect(store.get()).toEqual(DEFAULT_SETTINGS)
    expect(store.problem?.code).toBe('settings_corrupt')
    expect(store.problem?.message).toMatch(/not valid JSON.*replaced with defaults/)
    const backup = store.problem?.backupPath
    expect(backup).toBe(`${file}.corrupt-2026-01-02T03-04-05-000Z`)
    expect(readFileSync(backup!, 'utf8')).toBe('{"nickname": "ada",')
    // The bad file was replaced, so the next start is clean.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(DEFAULT_SETTINGS)
    expect(createSettingsStore({ file }).problem).toBeUndefined()
  })

  it('reports valid JSON with invalid values, naming the field', () => {
    writeFileSync(file, JSON.stringify({ nickname: 'ada', theme: 'neon' }))
    const store = createSettingsStore({ file, now: () => 0 })
    expect(store.problem).toMatchObject({ code: 'settings_invalid' })
    expect(store.problem?.message).toContain('theme')
    expect(store.get().theme).toBe('system')
    expect(readdirSync(dir).sort()).toEqual([
      'settings.json',
      'settings.json.corrupt-1970-01-01T00-00-00-000Z'
    ])
  })

  // Root reads files whatever their mode, so this case can only be shown as another user.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file and keeps going on defaults', () => {
    writeFileSync(file, '{}')
    chmodSync(file, 0o000)
    const store = createSettingsStore({ file })
    expect(store.problem?.code).toBe('settings_unreadable')
    expect(store.get()).toEqual(DEFAULT_SETTINGS)
  })
})
