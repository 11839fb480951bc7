import type { EngineEvent } from '../engine/engine-events'
import { BatchDraft, reduceWith, type Draft } from './batch-draft'
import { engineEventReducers } from './engine-event-reducers'
import type { StoreState } from './store-types'

/**
 * Folds a batch of engine events into one state update. Socket events arrive one per task; at a
 * thousand messages a second, one store update (and one render) per batch instead of per frame is
 * what keeps typing responsive. Each event type has its reducer in `engine-event-reducers.ts`,
 * each server message type in `server-message-reducers.ts`.
 */
export function applyEngineEvents(state: StoreState, events: readonly EngineEvent[], now: number): Draft {
  const batch = new BatchDraft(state, now)
  for (const event of events) reduceWith(engineEventReducers, event, batch)
  return batch.draft
}
