/** `--host H --port N` for the baseline servers, the same flags Parley's CLI takes. */
export function parseServerArgs(argv: string[]): { host: string; port: number } {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag)
    return at >= 0 ? argv[at + 1] : undefined
  }
  return { host: value('--host') ?? '127.0.0.1', port: Number(value('--port') ?? 0) }
}
