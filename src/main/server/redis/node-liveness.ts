/**
 * Which nodes of the cluster are alive: each refreshes its own key with a TTL, so the key of a
 * node that died (kill -9, cut off) expires, and the sessions it held become another node's to
 * restore.
 */
import { randomBytes } from 'node:crypto'
import type { RedisClientType } from 'redis'

/** A node that has not refreshed its heartbeat for this long is dead: its sessions are orphans. */
export const NODE_HEARTBEAT_TTL_S = 10

export function newNodeId(): string {
  return `n_${randomBytes(6).toString('base64url')}`
}

export interface NodeLiveness {
  /** Keeps this node alive for another NODE_HEARTBEAT_TTL_S. */
  refresh(): Promise<void>
  isAlive(node: string): Promise<boolean>
  /** At a clean stop: the sessions this node held need not wait out the TTL. */
  end(): void
}

export function nodeLiveness(
  client: RedisClientType,
  nodeKey: (node: string) => string,
  self: string
): NodeLiveness {
  return {
    async refresh() {
      await client.set(nodeKey(self), String(Date.now()), { EX: NODE_HEARTBEAT_TTL_S })
    },
    async isAlive(node) {
      return (await client.exists(nodeKey(node))) === 1
    },
    end() {
      void client.del(nodeKey(self)).catch(() => undefined)
    }
  }
}
