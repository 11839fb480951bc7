import type { EngineEvent } from '../engine/engine-events'
import { pushBounded, reduceWith, type ReducerTable } from './batch-draft'
import { explainStop } from './connect-problem'
import { serverMessageReducers } from './server-message-reducers'

/** Inspector series are bounded like the frame log. */
const TIMELINE_MAX = 500
const SERIES_MAX = 200

/** How each engine event changes the store; `server` hands the message to its own table. */
export const engineEventReducers: ReducerTable<EngineEvent> = {
  state({ entry }, batch) {
    batch.draft.status = entry.state
    batch.draft.timeline = pushBounded(batch.view('timeline'), entry, TIMELINE_MAX)
    if (entry.state !== 'reconnecting') batch.draft.nextAttemptAt = null
    if (entry.state === 'open') batch.draft.problem = null
  },

  handshake({ facts }, batch) {
    batch.draft.handshake = facts
  },

  welcome({ user }, batch) {
    batch.draft.me = user
    batch.draft.admitted = true
    batch.draft.problem = null
  },

  close({ row }, batch) {
    batch.draft.closes = pushBounded(batch.view('closes'), row, SERIES_MAX)
  },

  reconnect({ attempt }, batch) {
    batch.draft.reconnects = pushBounded(batch.view('reconnects'), attempt, SERIES_MAX)
    batch.draft.nextAttemptAt = attempt.dueAt
  },

  rtt({ sample }, batch) {
    batch.draft.rtt = pushBounded(batch.view('rtt'), sample, SERIES_MAX)
  },

  buffered({ bytes }, batch) {
    batch.draft.bufferedAmount = bytes
  },

  frames(_event, batch) {
    batch.draft.framesVersion = batch.view('framesVersion') + 1
  },

  outbox({ items }, batch) {
    batch.draft.outbox = items
  },

  'protocol-error'({ message }, batch) {
    batch.draft.protocolErrors = pushBounded(batch.view('protocolErrors'), message, SERIES_MAX)
  },

  stopped({ info }, batch) {
    batch.draft.problem = explainStop(info, batch.view('url') ?? '', batch.view('nick') ?? '')
  },

  server({ message }, batch) {
    reduceWith(serverMessageReducers, message, batch)
  }
}
