// Longer than 400 lines on purpose: one typed method per metadata API call this tool makes, each
// with its zod response schema, beside the one request path (timeouts, retries, error mapping).
import * as z from 'zod'
import type { Context } from '../context.js'
import { UserError } from '../errors.js'
import { stringifyExact } from '../output/exact-json.js'
import {
  HasuraAuthError,
  HasuraConflictError,
  HasuraError,
  type HasuraErrorBody,
  HasuraUnreachableError,
} from './errors.js'

/**
 * The Hasura metadata API client: one low-level `request`, a generic `metadataRequest`, `runSql`,
 * and a typed function per call the tool makes. Every answer is checked (status, then zod).
 * The admin secret is sent as a header and never appears in any message, error or log line.
 */

export interface ClientOptions {
  /** e.g. http://localhost:8080 (a trailing slash or path prefix is fine) */
  endpoint: string
  adminSecret: string | undefined
  /** where the secret came from, named in messages (never the value) */
  adminSecretEnv: string
  /** per request; default 30 s (replace_metadata: 120 s) */
  timeoutMs?: number
  /** extra attempts for reads and connection failures; default 3 */
  retries?: number
  /** first backoff delay, doubled each retry; default 200 ms */
  backoffMs?: number
  /** verbose log sink (already redacted) */
  log?: (line: string) => void
}

export interface RequestOptions<T> {
  /** validates the response body */
  schema?: z.ZodType<T>
  /** the command name for messages and logs (defaults to body.type) */
  command?: string
  /** safe to send again after a timeout or a dropped connection; default: inferred from the type */
  idempotent?: boolean
  timeoutMs?: number
  /** reads the answer's text (default JSON.parse); e.g. a parser that keeps every number's digits */
  parse?: (text: string) => unknown
}

export interface MetadataRequestOptions {
  version?: 1 | 2
  resourceVersion?: number
  idempotent?: boolean
  timeoutMs?: number
  /** reads the answer's text (default JSON.parse) */
  parse?: (text: string) => unknown
}

const DEFAULT_TIMEOUT_MS = 30_000
const LONG_TIMEOUT_MS = 120_000

/** Commands that only read: a retry after a timeout or reset cannot change anything. */
const READ_COMMAND = /^(pg_)?(get_|export_)|^test_webhook_transform$/

const errorBodySchema = z.looseObject({
  error: z.string(),
  path: z.string().optional(),
  code: z.string().optional(),
  internal: z.unknown().optional(),
})

// ---- response schemas of the typed calls -------------------------------------------------------

const metadataObject = z.looseObject({ version: z.number() })

const exportMetadataSchema = z.object({
  resource_version: z.number(),
  metadata: metadataObject,
})
export type ExportedMetadata = z.infer<typeof exportMetadataSchema>

const inconsistentObjectSchema = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  definition: z.unknown().optional(),
  reason: z.string().optional(),
})

const inconsistentMetadataSchema = z.looseObject({
  is_consistent: z.boolean(),
  inconsistent_objects: z.array(inconsistentObjectSchema),
})
export type InconsistentMetadata = z.infer<typeof inconsistentMetadataSchema>

/** replace_metadata v2 answers `{is_consistent, inconsistent_objects}`; v1-style `{message}` is read as consistent. */
const replaceResultSchema = z.looseObject({
  is_consistent: z.boolean().default(true),
  inconsistent_objects: z.array(inconsistentObjectSchema).default([]),
})

const cronTriggerSchema = z.looseObject({
  name: z.string(),
  webhook: z.string(),
  schedule: z.string(),
  include_in_metadata: z.boolean(),
})
const cronTriggersSchema = z.object({ cron_triggers: z.array(cronTriggerSchema) })
export type ServerCronTrigger = z.infer<typeof cronTriggerSchema>

const messageSchema = z.looseObject({ message: z.string() })

const runSqlSchema = z.looseObject({
  result_type: z.string(),
  result: z.array(z.array(z.string().nullable())).nullable().optional(),
})
export type RunSqlResult = z.infer<typeof runSqlSchema>

// -------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function causeCode(err: unknown): string | undefined {
  let e: unknown = err
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

export class HasuraClient {
  readonly endpoint: string
  readonly adminSecretEnv: string
  readonly #secret: string | undefined
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #backoffMs: number
  readonly #log: ((line: string) => void) | undefined
  /** requests sent (attempts included); tests and --verbose read it */
  requestCount = 0

  constructor(opts: ClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '')
    this.adminSecretEnv = opts.adminSecretEnv
    this.#secret = opts.adminSecret
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#retries = opts.retries ?? 3
    this.#backoffMs = opts.backoffMs ?? 200
    this.#log = opts.log
  }

  /** Removes the admin secret from any text that leaves the client. */
  redact(text: string): string {
    const s = this.#secret
    if (!s || s.length < 1) return text
    return text.split(s).join('***')
  }

  #emit(line: string): void {
    this.#log?.(this.redact(line))
  }

  /**
   * POST `body` to `path` (e.g. /v1/metadata, /v2/query) with the admin secret; returns the parsed,
   * validated body. Retries with backoff when nothing can have happened (connection refused) and,
   * for idempotent requests, after timeouts, resets and 502/503/504.
   */
  async request<T = unknown>(path: string, body: unknown, opts: RequestOptions<T> = {}): Promise<T> {
    const command =
      opts.command ??
      (body && typeof body === 'object' && typeof (body as { type?: unknown }).type === 'string'
        ? (body as { type: string }).type
        : path)
    const idempotent = opts.idempotent ?? READ_COMMAND.test(command)
    const url = `${this.endpoint}${path}`
    const payload = stringifyExact(body)
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs
    for (let attempt = 0; ; attempt++) {
      const started = Date.now()
      this.#emit(`hasura → POST ${path} ${command}${attempt > 0 ? ` (retry ${attempt})` : ''}`)
      let response: Response
      let text: string
      try {
        this.requestCount++
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (this.#secret !== undefined) headers['x-hasura-admin-secret'] = this.#secret
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        })
        text = await response.text()
      } catch (err) {
        const failure = this.#networkError(err, command, timeoutMs)
        const retryable = failure.reason === 'refused' || (idempotent && failure.reason !== 'not-found')
        this.#emit(`hasura ← ${command}: ${failure.reason} after ${Date.now() - started} ms`)
        if (retryable && attempt < this.#retries) {
          await sleep(this.#backoff(attempt))
          continue
        }
        throw failure
      }
      this.#emit(`hasura ← ${response.status} ${command} in ${Date.now() - started} ms`)
      if (idempotent && [502, 503, 504].includes(response.status) && attempt < this.#retries) {
        await sleep(this.#backoff(attempt))
        continue
      }
      return this.#parse(response.status, text, command, path, opts.schema, opts.parse)
    }
  }

  /** `POST /v1/metadata {type, version?, resource_version?, args}`. */
  metadataRequest<T = unknown>(
    type: string,
    args: unknown,
    opts: MetadataRequestOptions = {},
    schema?: z.ZodType<T>,
  ): Promise<T> {
    const body: Record<string, unknown> = { type }
    if (opts.version !== undefined) body.version = opts.version
    if (opts.resourceVersion !== undefined) body.resource_version = opts.resourceVersion
    body.args = args
    return this.request<T>('/v1/metadata', body, {
      command: type,
      ...(schema === undefined ? {} : { schema }),
      ...(opts.idempotent === undefined ? {} : { idempotent: opts.idempotent }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.parse === undefined ? {} : { parse: opts.parse }),
    })
  }

  /** `POST /v2/query {type: run_sql}`: Hasura's schema API. Rows come back as text (header row first). */
  runSql(
    sql: string,
    opts: { source?: string; readOnly?: boolean; cascade?: boolean; timeoutMs?: number } = {},
  ): Promise<RunSqlResult> {
    const args: Record<string, unknown> = { source: opts.source ?? 'default', sql }
    if (opts.cascade !== undefined) args.cascade = opts.cascade
    if (opts.readOnly !== undefined) args.read_only = opts.readOnly
    return this.request(
      '/v2/query',
      { type: 'run_sql', args },
      {
        command: 'run_sql',
        schema: runSqlSchema,
        idempotent: opts.readOnly === true,
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      },
    )
  }

  // ---- typed calls --------------------------------------------------------------------------------

  exportMetadata(): Promise<ExportedMetadata> {
    return this.metadataRequest('export_metadata', {}, { version: 2 }, exportMetadataSchema)
  }

  /**
   * `replace_metadata` v2. Strict by default (allow_inconsistent_metadata: false), so Hasura applies
   * all of it or nothing; with a resourceVersion, a concurrent change fails with HasuraConflictError.
   */
  replaceMetadata(
    metadata: unknown,
    opts: { resourceVersion?: number; allowInconsistent?: boolean } = {},
  ): Promise<InconsistentMetadata> {
    return this.metadataRequest(
      'replace_metadata',
      { metadata, allow_inconsistent_metadata: opts.allowInconsistent ?? false },
      {
        version: 2,
        ...(opts.resourceVersion === undefined ? {} : { resourceVersion: opts.resourceVersion }),
        timeoutMs: LONG_TIMEOUT_MS,
      },
      replaceResultSchema,
    )
  }

  getInconsistentMetadata(): Promise<InconsistentMetadata> {
    return this.metadataRequest('get_inconsistent_metadata', {}, {}, inconsistentMetadataSchema)
  }

  /** Every cron trigger, those kept out of metadata included, with defaults filled in. */
  async getCronTriggers(): Promise<ServerCronTrigger[]> {
    return (await this.metadataRequest('get_cron_triggers', {}, {}, cronTriggersSchema)).cron_triggers
  }

  pgCreateEventTrigger(args: Record<string, unknown>): Promise<unknown> {
    return this.metadataRequest('pg_create_event_trigger', args, {}, messageSchema)
  }

  deleteCronTrigger(name: string): Promise<unknown> {
    return this.metadataRequest('delete_cron_trigger', { name }, {}, messageSchema)
  }

  // ---- errors -------------------------------------------------------------------------------------

  #backoff(attempt: number): number {
    const base = this.#backoffMs * 2 ** attempt
    return base + Math.floor(Math.random() * (base / 2))
  }

  #networkError(err: unknown, command: string, timeoutMs: number): HasuraUnreachableError {
    const startHint =
      'start one with `nself-hooks dev` (the embedded engine) or `nself start`, or point --endpoint / hasura.endpoint at a running Hasura'
    const name = (err as { name?: string })?.name
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new HasuraUnreachableError(
        `Hasura at ${this.endpoint} did not answer ${command} within ${Math.round(timeoutMs / 1000)} s`,
        {
          endpoint: this.endpoint,
          reason: 'timeout',
          hint: 'check that the server is healthy, then run again',
        },
      )
    }
    const code = causeCode(err)
    if (code === 'ECONNREFUSED') {
      return new HasuraUnreachableError(`cannot reach Hasura at ${this.endpoint}: connection refused`, {
        endpoint: this.endpoint,
        reason: 'refused',
        hint: startHint,
      })
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new HasuraUnreachableError(`cannot reach Hasura at ${this.endpoint}: unknown host`, {
        endpoint: this.endpoint,
        reason: 'not-found',
        hint: `check the endpoint (hasura.endpoint, HASURA_GRAPHQL_ENDPOINT or --endpoint); ${startHint}`,
      })
    }
    const detail = this.redact(String((err as Error)?.cause ?? (err as Error)?.message ?? err))
    return new HasuraUnreachableError(`cannot reach Hasura at ${this.endpoint}: ${detail}`, {
      endpoint: this.endpoint,
      reason: 'network',
      hint: startHint,
    })
  }

  #parse<T>(
    status: number,
    text: string,
    command: string,
    path: string,
    schema?: z.ZodType<T>,
    parse: (text: string) => unknown = JSON.parse,
  ): T {
    let json: unknown
    try {
      json = text === '' ? null : parse(text)
    } catch {
      throw new HasuraError(
        `${this.endpoint}${path} answered HTTP ${status} with a body that is not JSON: is it a Hasura server?`,
        {
          status,
          command,
          hint: 'check hasura.endpoint in webhooks.config.ts, HASURA_GRAPHQL_ENDPOINT or --endpoint',
        },
      )
    }
    if (status < 200 || status > 299) throw this.#hasuraError(status, json, command, path)
    if (!schema) return json as T
    const parsed = schema.safeParse(json)
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      throw new HasuraError(
        `unexpected answer to ${command} from ${this.endpoint}: ${first ? `${first.path.join('.') || '(body)'}: ${first.message}` : 'invalid shape'}`,
        { status, command, hint: 'is the endpoint a Hasura v2 server? run with --verbose for details' },
      )
    }
    return parsed.data
  }

  #hasuraError(status: number, json: unknown, command: string, path: string): HasuraError {
    const parsed = errorBodySchema.safeParse(json)
    const body: HasuraErrorBody | undefined = parsed.success
      ? {
          error: this.redact(parsed.data.error),
          ...(parsed.data.path === undefined ? {} : { path: parsed.data.path }),
          ...(parsed.data.code === undefined ? {} : { code: parsed.data.code }),
          ...(parsed.data.internal === undefined ? {} : { internal: parsed.data.internal }),
        }
      : undefined
    if (status === 401 || body?.code === 'access-denied') {
      const missing = this.#secret === undefined
      return new HasuraAuthError(
        missing
          ? `Hasura at ${this.endpoint} requires an admin secret and none was sent`
          : `Hasura at ${this.endpoint} rejected the admin secret from ${this.adminSecretEnv}`,
        {
          status,
          command,
          ...(body === undefined ? {} : { body }),
          hint: `set ${this.adminSecretEnv} (in .env or the environment) to the server's HASURA_GRAPHQL_ADMIN_SECRET; a different env name goes in hasura.adminSecretEnv`,
        },
      )
    }
    if (status === 409 || body?.code === 'conflict') {
      return new HasuraConflictError(
        `the metadata on ${this.endpoint} changed while ${command} was prepared${body ? ` (${body.error})` : ''}`,
        { command, ...(body === undefined ? {} : { body }) },
      )
    }
    if (!body) {
      return new HasuraError(
        `${this.endpoint}${path} answered HTTP ${status} to ${command}: is it a Hasura server?`,
        {
          status,
          command,
          hint: 'check hasura.endpoint in webhooks.config.ts, HASURA_GRAPHQL_ENDPOINT or --endpoint',
        },
      )
    }
    const where = body.path && body.path !== '$' ? ` (at ${body.path})` : ''
    return new HasuraError(
      `Hasura refused ${command}: ${body.error}${where}${body.code ? ` [${body.code}]` : ''}`,
      {
        status,
        command,
        body,
      },
    )
  }
}

/** What connecting needs of a loaded project: where Hasura is, and the env its secret is read from. */
export interface HasuraTarget {
  model: { hasura: { endpoint: string; adminSecretEnv: string } }
  env: { values: Record<string, string | undefined> }
}

/**
 * A client for the project's Hasura: the endpoint from the model, the admin secret read from
 * `env.values[adminSecretEnv]` now that a command needs it.
 */
export function connectHasura(
  project: HasuraTarget,
  ctx: Pick<Context, 'verbose' | 'stderr'>,
  opts: Partial<Pick<ClientOptions, 'timeoutMs' | 'retries' | 'backoffMs'>> = {},
): HasuraClient {
  const envName = project.model.hasura.adminSecretEnv
  const secret = project.env.values[envName]
  if (secret === undefined || secret === '') {
    throw new UserError(`the admin secret env ${envName} is not set`, {
      hint: `add ${envName}=<your Hasura admin secret> to .env (nself projects have it there) or export it; a different env name goes in hasura.adminSecretEnv`,
    })
  }
  const endpoint = project.model.hasura.endpoint
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new UserError(`the Hasura endpoint ${endpoint} is not a URL`, {
      hint: 'set hasura.endpoint, HASURA_GRAPHQL_ENDPOINT or --endpoint to e.g. http://localhost:8080',
    })
  }
  if (url.username || url.password) {
    url.username = url.username ? '***' : ''
    url.password = url.password ? '***' : ''
    throw new UserError(`the Hasura endpoint ${url.toString().replace(/\/$/, '')} has credentials in it`, {
      hint: `Hasura authenticates with the admin secret header, not URL credentials: remove them and set ${envName}`,
    })
  }
  return new HasuraClient({
    endpoint,
    adminSecret: secret,
    adminSecretEnv: envName,
    ...opts,
    ...(ctx.verbose ? { log: (line: string) => ctx.stderr.write(`${line}\n`) } : {}),
  })
}
