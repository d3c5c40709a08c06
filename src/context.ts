import type { Writable } from 'node:stream'

/**
 * What a command may touch of the outside world. Commands never read process.* directly,
 * so tests run them in-process with their own cwd, env and captured output.
 */
export interface Context {
  cwd: string
  env: NodeJS.ProcessEnv
  stdout: Writable
  stderr: Writable
  /** stdout is a terminal (colours, progress bars, confirmation prompts) */
  isTTY: boolean
  color: boolean
  verbose: boolean
  /** asks a yes/no question on the terminal; undefined when there is none */
  confirm?: (question: string) => Promise<boolean>
  /** stops a long-running command (dev, listen, console, events --follow); without it, SIGINT / SIGTERM do */
  signal?: AbortSignal
}

/** Global options every command accepts (docs/architecture.md "Global options"). */
export interface GlobalOptions {
  config?: string
  envFile?: string[]
  endpoint?: string
  json?: boolean
}

export function print(ctx: Context, text = ''): void {
  ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function printErr(ctx: Context, text: string): void {
  ctx.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}
