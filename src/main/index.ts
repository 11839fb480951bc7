// Electron shell entry: windows, IPC, hosting. Filled in by the Electron shell work (issue 4).
export {}
