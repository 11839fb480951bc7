/**
 * Where the history lives: SQLite in the data directory, or (with `redis`) the cluster's Redis,
 * which also brings the bus the Redis broker talks over.
 */
import type { Logger } from 'pino'
import { openHistoryStore } from './history-store'
import { connectRedisBus, type RedisBus } from './redis-broker'
import { openRedisStore, type RedisStore } from './redis-store'
import { newNodeId } from './redis/node-liveness'
import type { ChatServerOptions } from './server-types'
import type { Store } from './store'

export interface OpenedStore {
  store: Store
  /** Set on a cluster: the same object as `store`, with the cluster's own view (node, epoch). */
  redisStore?: RedisStore
  bus?: RedisBus
}

/** Opens the history; on a failure nothing it opened is left open. */
export async function openStore(
  dataDir: string,
  redis: ChatServerOptions['redis'],
  logger: Logger
): Promise<OpenedStore> {
  if (!redis) {
    const store = openHistoryStore(dataDir, {
      onCallbackError: (error) => logger.error({ err: error }, 'delivering a stored message failed'),
      onIndexError: (error) => logger.warn({ err: error }, 'indexing messages for search failed; will retry')
    })
    return { store }
  }
  const nodeId = newNodeId()
  const prefix = redis.prefix ?? 'parley:'
  const onError = (error: Error) => logger.warn({ err: error }, 'redis')
  const redisStore = await openRedisStore({ url: redis.url, prefix, nodeId, onError })
  let bus: RedisBus
  try {
    bus = await connectRedisBus(redis.url, prefix, nodeId)
  } catch (error) {
    redisStore.close()
    throw error
  }
  logger.info({ node: nodeId, epoch: redisStore.epoch }, 'joined the cluster on redis')
  return { store: redisStore, redisStore, bus }
}
