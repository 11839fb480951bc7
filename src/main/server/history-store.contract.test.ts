import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStoreContract } from '../../../test-support/server/store-contract'
import { openHistoryStore } from './history-store'

describeStoreContract(
  'SQLite (history-store)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-store-contract-'))
    return {
      open: () => openHistoryStore(dir),
      remove: () => rm(dir, { recursive: true, force: true })
    }
  },
  { messageChanges: true }
)
