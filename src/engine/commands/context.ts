import type { Core } from '../core.js'
import type { JsonObject } from '../metadata/model.js'
import type { TraceContext } from '../trace.js'

export const SUCCESS = { message: 'success' }

/** What a command gets besides its args. */
export interface CommandCtx {
  /** the request's `version` (export_metadata, replace_metadata answer by it) */
  version: 1 | 2
  /** the request's `resource_version`, checked against the stored one when given */
  resourceVersion: number | undefined
  /** session variables of the caller (x-hasura-role: admin, plus x-hasura-* headers) */
  session: Record<string, string>
  /** the request's trace context (trace.ts); a MANUAL event stores it */
  traceContext?: TraceContext
}

export type Command = (core: Core, args: JsonObject, cmd: CommandCtx) => Promise<unknown>
