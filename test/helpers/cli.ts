import { Writable } from 'node:stream'
import { runArgv } from '../../src/cli.js'
import type { Context } from '../../src/context.js'
import { waitForText } from './wait.js'

/** The CLI in-process: a captured `Context` for commands and library calls, and argv run through the real program. */

export interface Captured {
  ctx: Context
  /** the questions `confirm` was asked */
  asked: string[]
  readonly out: string
  readonly err: string
}

/**
 * A command context whose output is captured; no terminal unless `tty`, no confirmation prompt
 * unless `confirm` (then every question gets that answer). `env` is all the command sees, beside PATH.
 */
export function captureContext(
  cwd: string,
  opts: { env?: NodeJS.ProcessEnv; tty?: boolean; confirm?: boolean; signal?: AbortSignal } = {},
): Captured {
  let out = ''
  let err = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk))
        done()
      },
    })
  const ctx: Context = {
    cwd,
    env: { PATH: process.env.PATH, ...opts.env },
    stdout: sink((s) => {
      out += s
    }),
    stderr: sink((s) => {
      err += s
    }),
    isTTY: opts.tty ?? false,
    color: false,
    verbose: false,
    ...(opts.signal && { signal: opts.signal }),
  }
  const asked: string[] = []
  if (opts.confirm !== undefined) {
    const answer = opts.confirm
    ctx.confirm = async (q) => {
      asked.push(q)
      return answer
    }
  }
  return {
    ctx,
    asked,
    get out() {
      return out
    },
    get err() {
      return err
    },
  }
}

export interface CliOptions {
  cwd: string
  /** added to the test process' environment (as a shell would pass it); NO_COLOR is set */
  env?: Record<string, string>
}

function argvContext(opts: CliOptions, signal?: AbortSignal): Captured {
  return captureContext(opts.cwd, { env: { ...process.env, NO_COLOR: '1', ...opts.env }, signal })
}

/** Output without its final newline, as a shell's `$(...)` (and `runBin`) reads it. */
const trimmed = (text: string) => text.replace(/\r?\n$/, '')

/** Runs `nself-hooks <args>` in-process, as the binary would parse and run it; never throws on a non-zero exit. */
export async function runCli(args: string[], opts: CliOptions) {
  const cap = argvContext(opts)
  const code = await runArgv(['node', 'nself-hooks', ...args], cap.ctx)
  return { code, stdout: trimmed(cap.out), stderr: trimmed(cap.err) }
}

interface Finished {
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunningCli {
  out(): string
  err(): string
  /** resolves once `pattern` appears in stdout + stderr; rejects when the command ends first or on timeout */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** stops the command as Ctrl-C would, and waits for it to end */
  stop(): Promise<Finished>
  /** the command's end */
  done: Promise<Finished>
}

/** A long-running command (`dev`, `listen`, `events --follow`) in-process; `stop()` ends it. */
export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): RunningCli {
  const stopper = new AbortController()
  const cap = argvContext({ cwd, env }, stopper.signal)
  let ended: string | undefined
  const done = runArgv(['node', 'nself-hooks', ...args], cap.ctx).then(
    (exitCode) => {
      ended = `exited ${exitCode}`
      return { exitCode, stdout: trimmed(cap.out), stderr: trimmed(cap.err) }
    },
    (err: unknown) => {
      ended = `threw ${String(err)}`
      throw err
    },
  )
  return {
    out: () => cap.out,
    err: () => cap.err,
    waitFor: (pattern, timeoutMs) =>
      waitForText(
        () => cap.out + cap.err,
        pattern,
        () => ended,
        timeoutMs,
      ),
    stop() {
      stopper.abort()
      return done
    },
    done,
  }
}
