/**
 * The packaged app's Electron fuses (issue 19, point 12): electron-builder flips them from the
 * `electronFuses` block of electron-builder.yml. Building an installer needs the internet, so the
 * config is what can be checked here: every fuse that lets other code run as Parley is off, and
 * every key is one electron-builder knows (a misspelt fuse would be ignored without a word).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
  asar?: boolean
  electronFuses?: Record<string, unknown>
}

describe('electron-builder fuses', () => {
  it('turns off running as Node, NODE_OPTIONS and the inspector, and loads only an intact app.asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false
    })
    // OnlyLoadAppFromAsar would refuse to start an app that is not packed into an asar.
    expect(config.asar).toBe(true)
  })

  it("names only fuses in electron-builder's own schema", () => {
    const require = createRequire(import.meta.url)
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, { type: string }> } }
    }
    const known = schema.definitions.FuseOptionsV1.properties
    expect(Object.keys(config.electronFuses ?? {}).length).toBeGreaterThan(0)
    for (const [name, value] of Object.entries(config.electronFuses ?? {})) {
      expect(known, `electronFuses.${name}`).toHaveProperty(name)
      expect(typeof value).toBe(known[name]!.type)
    }
  })
})
