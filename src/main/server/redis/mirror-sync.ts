/**
 * When this node's mirrors (history and sessions) read everything again: at open; after the
 * subscriber was away (node-redis resubscribes, but what was published meanwhile never reached
 * it); and when the heartbeat finds that Redis lost its data (FLUSHALL, restarted without its
 * AOF), which a new epoch tells.
 */
import { randomBytes } from 'node:crypto'
import type { RedisClientType } from 'redis'
import type { NodeLiveness } from './node-liveness'

const HEARTBEAT_EVERY_MS = 3_000

export interface MirrorSync {
  /** Names the history Redis holds (Store.epoch): it changes when Redis lost it, and ids start again. */
  readonly epoch: string
  stop(): void
}

export interface MirrorSyncOptions {
  client: RedisClientType
  subscriber: RedisClientType
  epochKey: string
  liveness: NodeLiveness
  /** The history was lost: the mirror forgets what it holds before it reads again. */
  reset(): void
  /** Reads what the mirrors do not hold yet. */
  reload(): Promise<void>
  reportError(error: unknown): void
}

/** Resolves after the first load and the first heartbeat. */
export async function startMirrorSync(options: MirrorSyncOptions): Promise<MirrorSync> {
  const { client, subscriber, epochKey, liveness, reportError } = options
  let epoch = ''
  let stopped = false

  async function catchUp(): Promise<void> {
    const current = await currentEpoch(client, epochKey)
    if (epoch !== '' && current !== epoch) options.reset()
    epoch = current
    await options.reload()
  }

  async function beat(): Promise<void> {
    await liveness.refresh()
    if ((await client.get(epochKey)) !== epoch) await catchUp()
  }

  await catchUp()
  let subscriberWasDown = false
  subscriber.on('end', () => (subscriberWasDown = true))
  subscriber.on('reconnecting', () => (subscriberWasDown = true))
  subscriber.on('ready', () => {
    if (!subscriberWasDown || stopped) return
    subscriberWasDown = false
    catchUp().catch(reportError)
  })
  await beat()
  const heartbeat = setInterval(() => beat().catch(() => undefined), HEARTBEAT_EVERY_MS)
  heartbeat.unref()
  return {
    get epoch() {
      return epoch
    },
    stop() {
      stopped = true
      clearInterval(heartbeat)
    }
  }
}

async function currentEpoch(client: RedisClientType, key: string): Promise<string> {
  if ((await client.get(key)) === null) {
    // A keyspace without an epoch is new, or lost what it had: a new epoch, ids start again.
    await client.set(key, `e_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`, { NX: true })
  }
  return (await client.get(key)) ?? ''
}
