// Types for node-runtime.mjs, which stays plain JavaScript so that an old Node can run it.
export declare const MIN_SERVER_NODE: string
export declare const MIN_SOURCE_NODE: string
export declare const GET_NODE_HINT: string
export interface NodePackage {
  name: string
  version: string
  integrity: string
}
export declare const NODE_PACKAGES: Record<string, NodePackage | undefined>
export declare function nodeAtLeast(version: string, min: string): boolean
export declare function tooOldLine(what: string, min: string, hint?: string, current?: string): string
export declare function runtimeDir(env?: NodeJS.ProcessEnv): string
export declare function findRuntime(options?: {
  dir?: string
  platform?: string
  arch?: string
}): string | null
export declare function fetchRuntime(options?: { dir?: string; log?: (line: string) => void }): string
export declare function handOver(binary: string, args: string[]): void
