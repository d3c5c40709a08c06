import { visible } from './output/remote-text.js'
/** Exit codes of the user's contract: 0 ok / in sync, 1 error, 2 drift or pending changes. */
export const ExitCode = { ok: 0, error: 1, drift: 2 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * A problem the user can fix: printed as its message and hint, never with a stack trace
 * unless --verbose. Any other error that escapes a command is a bug.
 */
export class UserError extends Error {
  readonly hint: string | undefined
  readonly exitCode: ExitCode
  constructor(message: string, opts: { hint?: string; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'UserError'
    this.hint = opts.hint
    this.exitCode = opts.exitCode ?? ExitCode.error
  }
}

/** One validation problem: where in the config, what is wrong, what to do. */
export interface Issue {
  path: string
  message: string
  hint?: string
  severity: 'error' | 'warning'
}

/** Thrown when the config has problems: carries every one of them at once. */
export class ConfigError extends UserError {
  readonly issues: Issue[]
  constructor(file: string, issues: Issue[]) {
    const errors = issues.filter((i) => i.severity === 'error')
    // one line per problem: a config value's newline or control character is shown, never printed
    const lines = errors.map(
      (i) =>
        `  ${visible(i.path) || '(root)'}: ${visible(i.message)}${i.hint ? `\n    hint: ${visible(i.hint)}` : ''}`,
    )
    super(`${file} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, {
      hint: 'fix the config and run the command again; nothing was written',
    })
    this.name = 'ConfigError'
    this.issues = issues
  }
}
