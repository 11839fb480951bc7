import type { InspectorSlice, SliceCreator, SliceState } from './store-types'

export const initialInspectorState = (): SliceState<InspectorSlice> => ({
  timeline: [],
  handshake: null,
  closes: [],
  reconnects: [],
  rtt: [],
  bufferedAmount: 0,
  framesVersion: 0,
  protocolErrors: []
})

export const createInspectorSlice: SliceCreator<InspectorSlice> = (_set, get) => ({
  ...initialInspectorState(),

  sendRaw(text) {
    return get().engine?.sendRaw(text) ?? false
  },

  closeWithCode(code, reason) {
    const engine = get().engine
    if (!engine) return 'There is no connection to close.'
    return engine.closeWithCode(code, reason)
  },

  exportSession() {
    const { engine, url, nick, me, timeline, handshake, closes, reconnects, rtt, protocolErrors } = get()
    return JSON.stringify(
      {
        exportedAt: new Date().toISOString(),
        url,
        nick,
        user: me,
        handshake,
        timeline,
        closes,
        reconnects,
        rtt,
        protocolErrors,
        frames: engine?.frames.toArray() ?? []
      },
      null,
      2
    )
  }
})
