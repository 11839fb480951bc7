// The preload: exposes window.parley through contextBridge. Filled in by the bridge work (issue 4).
export {}
