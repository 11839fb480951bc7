import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { describeBrokerContract } from '../../../test-support/server/broker-contract'
import { startTestRedis, type TestRedis } from '../../../test-support/server/redis-server'
import { connectRedisBus, createRedisBroker, type RedisBus } from './redis-broker'
import type { BusEvent } from './redis/bus-events'
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

describe('RedisBus', () => {
  it('stops calling a listener once its unsubscribe has run', async () => {
    redis ??= startTestRedis()
    const { url } = await redis
    const prefix = `t_${randomBytes(4).toString('hex')}:`
    const [heard, other] = [
      await connectRedisBus(url, prefix, newNodeId()),
      await connectRedisBus(url, prefix, newNodeId())
    ]
    buses.push(heard, other)
    const removed: BusEvent[] = []
    const kept: BusEvent[] = []
    const stop = heard.onEvent((event) => removed.push(event))
    heard.onEvent((event) => kept.push(event))
    other.publish({ k: 'bye', node: other.nodeId })
    await expect.poll(() => kept.length).toBe(1)
    stop()
    other.publish({ k: 'bye', node: other.nodeId })
    // The kept listener hearing the second event is the sign that the removed one would have.
    await expect.poll(() => kept.length).toBe(2)
    expect(removed).toHaveLength(1)
  })
})
