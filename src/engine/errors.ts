/** A metadata API failure with Hasura's body `{error, path, code}` and HTTP status. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly path: string
  readonly internal: unknown
  /** a failure to parse a command's args: /v1/metadata wraps its message like Hasura does */
  fromArgs = false
  constructor(status: number, code: string, message: string, path = '$', internal?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.path = path
    this.internal = internal
  }
  body(): Record<string, unknown> {
    const b: Record<string, unknown> = { error: this.message, path: this.path, code: this.code }
    if (this.internal !== undefined) b.internal = this.internal
    return b
  }
}

export const notExists = (msg: string, path = '$.args') => new ApiError(400, 'not-exists', msg, path)
export const alreadyExists = (msg: string, path = '$.args') => new ApiError(400, 'already-exists', msg, path)
export const notSupported = (msg: string, path = '$.args') => new ApiError(400, 'not-supported', msg, path)
export const parseFailed = (msg: string, path = '$.args') => new ApiError(400, 'parse-failed', msg, path)
export const badRequest = (msg: string, path = '$.args') => new ApiError(400, 'bad-request', msg, path)

/** A Postgres error raised while running SQL for a request (run_sql and friends), as Hasura reports it. */
export function postgresError(err: unknown, path = '$'): ApiError {
  const e = err as { message?: string; code?: string; detail?: string; hint?: string; severity?: string }
  const internal = {
    arguments: [],
    error: {
      description: e.detail ?? null,
      exec_status: 'FatalError',
      hint: e.hint ?? null,
      message: e.message ?? String(err),
      status_code: e.code ?? 'XX000',
    },
    prepared: false,
    statement: undefined as unknown,
  }
  // Hasura: 400 postgres-error "query execution failed" (with the details in `internal`)
  return new ApiError(
    400,
    e.code === '42501' ? 'permission-error' : 'postgres-error',
    'query execution failed',
    path,
    internal,
  )
}
