import { ExitCode, UserError } from '../errors.js'

/** Hasura's error body (docs/hasura-compatibility.md "Metadata API"): `{error, path, code}`, sometimes with `internal`. */
export interface HasuraErrorBody {
  error: string
  path?: string
  code?: string
  internal?: unknown
}

/**
 * Hasura answered with an error. The message is written for the user; the raw body stays
 * available (code, path, internal) for callers that react to a specific code.
 */
export class HasuraError extends UserError {
  readonly status: number
  readonly code: string | undefined
  readonly path: string | undefined
  readonly internal: unknown
  /** the metadata API command (or /v2/query type) that failed */
  readonly command: string
  constructor(
    message: string,
    opts: { status: number; body?: HasuraErrorBody; command: string; hint?: string; cause?: unknown },
  ) {
    super(message, {
      exitCode: ExitCode.error,
      ...(opts.hint === undefined ? {} : { hint: opts.hint }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
    })
    this.name = 'HasuraError'
    this.status = opts.status
    this.code = opts.body?.code
    this.path = opts.body?.path
    this.internal = opts.body?.internal
    this.command = opts.command
  }
}

/** 409 `conflict`: the metadata changed since its resource_version was read. */
export class HasuraConflictError extends HasuraError {
  constructor(message: string, opts: { body?: HasuraErrorBody; command: string }) {
    super(message, {
      status: 409,
      command: opts.command,
      ...(opts.body === undefined ? {} : { body: opts.body }),
      hint: 'someone changed the metadata at the same time; run the command again to re-read and re-plan',
    })
    this.name = 'HasuraConflictError'
  }
}

/** 401 / access-denied: the admin secret was rejected or missing. */
export class HasuraAuthError extends HasuraError {
  constructor(
    message: string,
    opts: { status: number; body?: HasuraErrorBody; command: string; hint: string },
  ) {
    super(message, opts)
    this.name = 'HasuraAuthError'
  }
}

/** No HTTP answer at all: connection refused, unknown host, timeout. */
export class HasuraUnreachableError extends UserError {
  readonly endpoint: string
  readonly reason: 'refused' | 'not-found' | 'timeout' | 'network'
  constructor(
    message: string,
    opts: { endpoint: string; reason: HasuraUnreachableError['reason']; hint: string; cause?: unknown },
  ) {
    super(message, { hint: opts.hint, ...(opts.cause === undefined ? {} : { cause: opts.cause }) })
    this.name = 'HasuraUnreachableError'
    this.endpoint = opts.endpoint
    this.reason = opts.reason
  }
}
