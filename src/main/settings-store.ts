/**
 * Settings as one JSON file in the user data directory, validated with the contract's schema on
 * load. A file that is not JSON, or not valid settings, is copied aside, replaced with defaults
 * and reported once: a bad file never stops the app from starting.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  IpcError,
  settingsPatchSchema,
  settingsSchema,
  type Settings,
  type SettingsPatch,
  type SettingsProblem,
  type TrustedCertificate,
  type WindowBounds
} from '../shared/ipc'
import { createListenerSet } from './listener-set'

export interface SettingsStore {
  get(): Settings
  /** The problem met while loading, if any (reported to the renderer once it asks). */
  readonly problem: SettingsProblem | undefined
  /** Validates, merges and writes atomically; returns the new settings. */
  update(patch: SettingsPatch): Settings
  /** Main-only field: written on window close. */
  setWindowBounds(bounds: WindowBounds): void
  /** Main-only: pin (or, with undefined, forget) the certificate of `host`. */
  setTrustedCertificate(host: string, certificate: TrustedCertificate | undefined): void
  onChange(listener: (settings: Settings) => void): () => void
}

export interface SettingsStoreOptions {
  /** Absolute path of settings.json. */
  file: string
  now?: () => number
  logger?: { warn(details: object, message: string): void }
}

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({})

function backupPathFor(file: string, now: number): string {
  return `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`
}

interface Loaded {
  settings: Settings
  problem?: SettingsProblem
}

export function loadSettingsFile(file: string, now: () => number = Date.now): Loaded {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: DEFAULT_SETTINGS }
    return {
      settings: DEFAULT_SETTINGS,
      problem: {
        code: 'settings_unreadable',
        message: `The settings file could not be read (${(error as Error).message}); defaults are used for now.`
      }
    }
  }
  let raw: unknown
  let problem: Pick<SettingsProblem, 'code' | 'message'>
  try {
    raw = JSON.parse(text)
    const parsed = settingsSchema.safeParse(raw)
    if (parsed.success) return { settings: parsed.data }
    const first = parsed.error.issues[0]
    problem = {
      code: 'settings_invalid',
      message: `The settings file has an invalid value${first?.path.length ? ` at ${first.path.join('.')}` : ''}: ${first?.message ?? 'unknown'}.`
    }
  } catch {
    problem = { code: 'settings_corrupt', message: 'The settings file is not valid JSON.' }
  }
  const backupPath = backupPathFor(file, now())
  try {
    copyFileSync(file, backupPath)
  } catch {
    return {
      settings: DEFAULT_SETTINGS,
      problem: { ...problem, message: `${problem.message} Defaults are used.` }
    }
  }
  return {
    settings: DEFAULT_SETTINGS,
    problem: {
      ...problem,
      message: `${problem.message} It was saved as ${backupPath} and replaced with defaults.`,
      backupPath
    }
  }
}

/** Write to a temporary file and rename: a crash mid-write leaves the old file, never half a file. */
function writeAtomically(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, 'utf8')
  renameSync(temporary, file)
}

export function createSettingsStore(options: SettingsStoreOptions): SettingsStore {
  const loaded = loadSettingsFile(options.file, options.now)
  let settings = loaded.settings
  const listeners = createListenerSet<Settings>()
  if (loaded.problem) {
    options.logger?.warn({ problem: loaded.problem }, 'settings file replaced with defaults')
    // Replace the bad file now, so the next start does not report it again.
    if (loaded.problem.backupPath) {
      try {
        writeAtomically(options.file, settings)
      } catch {
        // Reported below on the next update; starting matters more.
      }
    }
  }

  function commit(next: Settings): Settings {
    try {
      writeAtomically(options.file, next)
    } catch (error) {
      throw new IpcError('settings_write_failed', `Settings could not be saved: ${(error as Error).message}`)
    }
    settings = next
    listeners.emit(settings)
    return settings
  }

  return {
    get: () => settings,
    get problem() {
      return loaded.problem
    },
    update(patch) {
      const valid = settingsPatchSchema.parse(patch)
      // Re-validate the merged whole, so a patch can never produce a file that fails to load.
      return commit(settingsSchema.parse({ ...settings, ...valid }))
    },
    setWindowBounds(bounds) {
      commit(settingsSchema.parse({ ...settings, windowBounds: bounds }))
    },
    setTrustedCertificate(host, certificate) {
      const { [host]: _previous, ...others } = settings.trustedCertificates
      const trustedCertificates = certificate ? { ...others, [host]: certificate } : others
      commit(settingsSchema.parse({ ...settings, trustedCertificates }))
    },
    onChange: (listener) => listeners.add(listener)
  }
}
