import chalk, { Chalk, type ChalkInstance } from 'chalk'
import type { Context } from '../context.js'
import { ConfigError, type Issue, UserError } from '../errors.js'
import { visible } from './remote-text.js'

export function colors(ctx: Context): ChalkInstance {
  return ctx.color ? new Chalk({ level: chalk.level || 1 }) : new Chalk({ level: 0 })
}

export function printWarnings(ctx: Context, warnings: Issue[]): void {
  const c = colors(ctx)
  for (const w of warnings.filter((i) => i.severity === 'warning')) {
    ctx.stderr.write(`${c.yellow('warning')} ${visible(w.path)}: ${visible(w.message)}\n`)
  }
}

/**
 * The one place errors become output and an exit code (docs/architecture.md "Errors and exit codes").
 * Messages often carry a server's words or a config value: their control characters are shown,
 * not sent to the terminal.
 */
export function reportError(ctx: Context, err: unknown): number {
  const c = colors(ctx)
  const text = (s: string) => visible(s, { multiline: true })
  if (err instanceof UserError) {
    ctx.stderr.write(`${c.red('error')} ${text(err.message)}\n`)
    if (err.hint && !(err instanceof ConfigError)) ctx.stderr.write(`${c.dim('hint')}  ${text(err.hint)}\n`)
    if (err instanceof ConfigError) ctx.stderr.write(`${c.dim(err.hint ?? '')}\n`)
    if (ctx.verbose && err.cause)
      ctx.stderr.write(`${c.dim(text(String((err.cause as Error).stack ?? err.cause)))}\n`)
    return err.exitCode
  }
  const e = err as Error
  ctx.stderr.write(`${c.red('error')} ${text(e?.message ?? String(err))}\n`)
  if (ctx.verbose) ctx.stderr.write(`${c.dim(text(e?.stack ?? ''))}\n`)
  else
    ctx.stderr.write(
      `${c.dim('this looks like a bug in nself-hooks; run again with --verbose for the stack trace')}\n`,
    )
  return 1
}
