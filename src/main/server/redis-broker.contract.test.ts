import { randomBytes } from 'node:crypto'
import { afterAll, afterEach } from 'vitest'
import { describeBrokerContract } from '../../../test-support/server/broker-contract'
import { startTestRedis, type TestRedis } from '../../../test-support/server/redis-server'
import { connectRedisBus, createRedisBroker, type RedisBus } from './redis-broker'
import { newNodeId } from './redis/node-liveness'

let redis: Promise<TestRedis> | undefined
const buses: RedisBus[] = []
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()))
})
afterAll(async () => (await redis)?.remove())

// A real redis-server; each test a fresh key prefix, so no other broker is heard on its channel.
describeBrokerContract('Redis (redis-broker)', async (deliver) => {
  redis ??= startTestRedis()
  const { url } = await redis
  const bus = await connectRedisBus(url, `t_${randomBytes(4).toString('hex')}:`, newNodeId())
  buses.push(bus)
  return createRedisBroker(deliver, bus)
})
