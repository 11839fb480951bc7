/**
 * How every Redis connection of a node is made (the store's two, the broker's two): the same
 * client options, and a first connect that gives up rather than retrying for ever.
 */
import { createClient, type RedisClientType } from 'redis'

/** Reconnect backoff: 50 ms doubling to 2 s, for ever (Redis may be down for a while). */
export function reconnectDelay(retries: number): number {
  return Math.min(2_000, 50 * 2 ** Math.min(retries, 6))
}

/** How long a node waits for Redis at start before it gives up (later outages are waited out). */
export const CONNECT_AT_START_MS = 5_000

/**
 * No offline queue: while Redis is away a command fails at once, so a send is refused
 * (store_unavailable) instead of waiting for an ack that may never come.
 */
export function createRedisClient(url: string): RedisClientType {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2_000 }
  })
}

/**
 * Connects, or fails after CONNECT_AT_START_MS: node-redis would otherwise retry for ever, and a
 * server started against a wrong URL would hang without a word.
 */
export async function connectAtStart(client: RedisClientType, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.destroy()
      reject(
        new Error(
          `Could not reach Redis at ${url.replace(/\/\/[^@/]*@/, '//')} within ${CONNECT_AT_START_MS / 1000} s.`
        )
      )
    }, CONNECT_AT_START_MS)
  })
  try {
    await Promise.race([client.connect(), gaveUp])
  } finally {
    clearTimeout(timer)
  }
}
