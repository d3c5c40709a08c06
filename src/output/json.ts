import type { Context } from '../context.js'
import { stringifyExact } from './exact-json.js'

/**
 * The one JSON envelope of every `--json` output: `format_version` first, then the command's
 * own keys in snake_case. A consumer checks `format_version` before reading anything else
 * (docs/architecture.md, "Output").
 */
export const FORMAT_VERSION = 1

export type JsonEnvelope<T extends Record<string, unknown>> = { format_version: typeof FORMAT_VERSION } & T

export function envelope<T extends Record<string, unknown>>(data: T): JsonEnvelope<T> {
  return { format_version: FORMAT_VERSION, ...data }
}

/** Prints one envelope, pretty-printed, followed by a newline. */
export function printJson(ctx: Pick<Context, 'stdout'>, data: Record<string, unknown>): void {
  ctx.stdout.write(`${stringifyExact(envelope(data), 2)}\n`)
}
