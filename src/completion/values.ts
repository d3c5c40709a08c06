import type { Argument, Option } from 'commander'

/**
 * What a flag's value or a positional argument completes to, beyond commander's own `.choices()`:
 * names read from the project's config at completion time, or paths the shell completes itself.
 * `src/cli.ts` marks an option or argument with `completes`; a value placeholder named `<file>` or
 * `<dir>` completes to paths without a mark (docs/architecture.md "Shell completion").
 */
export type ValueKind =
  /** the config's event triggers */
  | 'triggers'
  /** event triggers and crons */
  | 'triggers-and-crons'
  /** what `scaffold` takes: handler names, triggers, crons and external webhooks */
  | 'handlers'
  | 'files'
  | 'dirs'

export interface ValueHint {
  kind: ValueKind
  /** fixed words offered beside the names (`events show <id>`) */
  words?: readonly string[]
}

const hints = new WeakMap<Option | Argument, ValueHint>()

/** Marks what `target`'s value completes to; returns it for chaining into `.addOption()`. */
export function completes<T extends Option | Argument>(target: T, kind: ValueKind, words?: string[]): T {
  hints.set(target, words ? { kind, words } : { kind })
  return target
}

export function hintOf(target: Option | Argument): ValueHint | undefined {
  const hint = hints.get(target)
  if (hint) return hint
  // `--config <file>`, `--data-dir <dir>`: the placeholder says it is a path
  const placeholder = 'flags' in target ? /<([^>]+)>/.exec(target.flags)?.[1] : target.name()
  if (placeholder === 'file') return { kind: 'files' }
  if (placeholder === 'dir') return { kind: 'dirs' }
  return undefined
}
