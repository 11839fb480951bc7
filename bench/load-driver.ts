/** The orchestrator's handle on one load-generator process: send a command, await its reply. */
import { fork, type ChildProcess } from 'node:child_process'
import { cpuSeconds } from './proc-stats'
import { raiseOpenFiles } from './server-process'
import type { Command } from './load-generator'

const hooks = new URL('../scripts/ts-resolve-hooks.mjs', import.meta.url).pathname
const entry = new URL('./load-generator.ts', import.meta.url).pathname

export interface LoadDriver {
  pid: number
  cpuSeconds(): number
  run<T extends object = Record<string, unknown>>(
    command: Command
  ): Promise<T & { closed: Record<string, number> }>
  stop(): Promise<void>
}

export function startLoad(): LoadDriver {
  const child: ChildProcess = fork(entry, [], { execArgv: ['--import', hooks], stdio: 'inherit' })
  raiseOpenFiles(child.pid!)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    pid: child.pid!,
    cpuSeconds: () => cpuSeconds(child.pid!),
    run(command) {
      return new Promise((resolve, reject) => {
        const onExit = (): void => reject(new Error(`load generator exited during ${command.cmd}`))
        child.once('exit', onExit)
        child.once('message', (reply) => {
          child.off('exit', onExit)
          resolve(reply as never)
        })
        child.send(command)
      })
    },
    async stop() {
      if (child.connected) await this.run({ cmd: 'close' }).catch(() => undefined)
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(kill)
    }
  }
}
