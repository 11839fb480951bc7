/** What GET /api/stats and ChatServer.stats() answer, read from the parts the server started. */
import packageJson from '../../../package.json' with { type: 'json' }
import type { ServerConfig } from './server-options'
import type { StartedParts } from './started-parts'
import type { ServerStats } from './server-types'

const packageVersion = packageJson.version

export function serverStats(config: ServerConfig, connections: number, parts: StartedParts): ServerStats {
  const { hub, store, redisStore, redisBroker, startedAt } = parts
  const users = hub?.userCounts() ?? { users: 0, online: 0 }
  const counts = store?.counts() ?? { messages: 0, dms: 0 }
  return {
    name: config.name,
    version: packageVersion,
    connections,
    users: users.users,
    onlineUsers: users.online,
    rooms: hub?.roomSummaries() ?? [],
    messagesStored: counts.messages,
    dmsStored: counts.dms,
    uptimeMs: startedAt === 0 ? 0 : Date.now() - startedAt,
    startedAt,
    ...(redisStore && redisBroker
      ? {
          cluster: {
            node: redisStore.nodeId,
            epoch: redisStore.epoch,
            redisConnected: redisStore.connected,
            onlineByNode: redisBroker.onlineByNode()
          }
        }
      : {})
  }
}
