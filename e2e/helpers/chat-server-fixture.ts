/**
 * The setup most chat specs share: one real CLI server on its own data directory for the whole
 * file, the screenshots folder, and the people the tests open, all closed and removed after the
 * last test. Call at the top of a spec file; read `server` inside tests (it exists from
 * beforeAll on) and add every person opened to `people` so that afterAll closes them.
 */
import { mkdirSync } from 'node:fs'
import { test } from '@playwright/test'
import { closeAll, type Person } from './chat-page'
import {
  makeDataDir,
  removeDataDir,
  startServer,
  stopServer,
  type ParleyServer,
  type StartOptions
} from './parley-server'

/** Where the specs write the screenshots a person looks at. */
export const ARTIFACTS = 'e2e-artifacts'

export interface ChatServerFixture {
  readonly server: ParleyServer
  readonly people: Person[]
}

export function useChatServer(
  options: Omit<StartOptions, 'dataDir'> & {
    /** How afterAll stops the server: SIGKILL where a graceful stop would only slow the run. */
    stopSignal?: NodeJS.Signals
  } = {}
): ChatServerFixture {
  const { stopSignal, ...start } = options
  let server: ParleyServer | undefined
  let dataDir: string | undefined
  const people: Person[] = []

  test.beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    dataDir = makeDataDir()
    server = await startServer({ ...start, dataDir })
  })

  test.afterAll(async () => {
    await closeAll(people)
    if (server) await stopServer(server, stopSignal)
    if (dataDir) removeDataDir(dataDir)
  })

  return {
    get server() {
      if (!server) throw new Error('the chat server starts in beforeAll: read it inside a test')
      return server
    },
    people
  }
}
