import { randomBytes } from 'node:crypto'
import { afterAll } from 'vitest'
import { startTestRedis, type TestRedis } from '../../../test-support/server/redis-server'
import { describeStoreContract } from '../../../test-support/server/store-contract'
import { openRedisStore } from './redis-store'

let redis: Promise<TestRedis> | undefined
afterAll(async () => (await redis)?.remove())

// One real redis-server for the file; each test gets its own key prefix (a fresh, empty place).
describeStoreContract(
  'Redis (redis-store)',
  async () => {
    redis ??= startTestRedis()
    const { url } = await redis
    const prefix = `t_${randomBytes(4).toString('hex')}:`
    return {
      open: () => openRedisStore({ url, prefix }),
      remove: async () => undefined
    }
  },
  { messageChanges: false }
)
