import { createHash, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import * as z from 'zod'
import { runCommand } from './commands/index.js'
import type { Core } from './core.js'
import { ApiError } from './errors.js'
import { introspection } from './graphql.js'
import { qualifiedTable } from './metadata/event-triggers.js'
import type { JsonObject } from './metadata/model.js'
import { parseWith } from './metadata/parse.js'
import { keepPayloadDigits, stringify } from './raw-json.js'
import { requestTraceContext, type TraceContext } from './trace.js'
import { HASURA_VERSION } from './webhook.js'

export interface ServerLimits {
  /** largest request body accepted on any endpoint, in bytes */
  maxBodyBytes: number
  /** time a client has to send the request headers */
  headersTimeoutMs: number
  /** time a client has to send the whole request (the answer may take longer) */
  requestTimeoutMs: number
}

/**
 * Hasura sets no body limit of its own; the engine takes up to 64 MiB (a replace_metadata of
 * thousands of triggers is a few MiB) and refuses more before reading it.
 */
export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
}

export interface ServerOptions {
  adminSecret: string | undefined
  log: (line: string) => void
  limits?: Partial<ServerLimits>
  /** requests outside the Hasura API (e.g. a console under /console); true when it answered */
  handle?: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | undefined
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/** Compares the admin secret in constant time: equal-length digests, crypto.timingSafeEqual. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

function tooLarge(res: http.ServerResponse, limit: number) {
  const text = JSON.stringify({
    error: `request body too large: the limit is ${limit} bytes; send less per request (e.g. split a bulk)`,
    path: '$',
    code: 'bad-request',
  })
  // the rest of the body is not read: close the connection after the answer
  res.writeHead(413, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  })
  res.end(text)
}

const METADATA_ONLY = new Set(['run_sql'])
/** Commands /v2/query accepts (Hasura moved everything else to /v1/metadata). */
const QUERY_V2 = new Set(['run_sql', 'pg_run_sql', 'bulk'])

function send(res: http.ServerResponse, status: number, body: unknown) {
  const text = stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

function sessionOf(req: http.IncomingMessage): Record<string, string> {
  const s: Record<string, string> = { 'x-hasura-role': 'admin' }
  for (const [k, v] of Object.entries(req.headers)) {
    const key = k.toLowerCase()
    if (!key.startsWith('x-hasura-') || key === 'x-hasura-admin-secret' || key === 'x-hasura-access-key')
      continue
    if (typeof v === 'string') s[key] = v
  }
  return s
}

export function createServer(core: Core, opts: ServerOptions): http.Server {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits }
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // how often node checks those two timeouts (its default, 30 s, would stretch them)
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      if (opts.handle?.(req, res)) return
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        // Hasura answers 200 either way, with a warning while the metadata is inconsistent
        res.end(core.lastInconsistent.length > 0 ? 'WARN: inconsistent objects in schema' : 'OK')
        return
      }
      if (url.pathname === '/v1/version' && req.method === 'GET') {
        send(res, 200, { version: HASURA_VERSION })
        return
      }
      const endpoint =
        url.pathname === '/v1/graphql'
          ? 'graphql'
          : url.pathname === '/v1/metadata'
            ? 'metadata'
            : url.pathname === '/v2/query'
              ? 'query'
              : url.pathname === '/v1/query'
                ? 'legacy'
                : undefined
      if (!endpoint || req.method !== 'POST') {
        send(res, 404, { error: 'resource does not exist', path: '$', code: 'not-found' })
        return
      }
      if (opts.adminSecret !== undefined) {
        const given = req.headers['x-hasura-admin-secret'] ?? req.headers['x-hasura-access-key']
        if (given === undefined) {
          send(res, 401, {
            error: 'x-hasura-admin-secret/x-hasura-access-key required, but not found',
            path: '$',
            code: 'access-denied',
          })
          return
        }
        if (typeof given !== 'string' || !secretMatches(given, opts.adminSecret)) {
          send(res, 401, {
            error: 'invalid x-hasura-admin-secret/x-hasura-access-key',
            path: '$',
            code: 'access-denied',
          })
          return
        }
      }
      // the admin secret makes the caller admin unless it asks for another role (Hasura)
      const role = req.headers['x-hasura-role']
      if (typeof role === 'string' && role !== 'admin') {
        send(res, 400, { error: 'restricted access : admin only', path: '$', code: 'access-denied' })
        return
      }
      const declared = Number(req.headers['content-length'])
      if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
        tooLarge(res, limits.maxBodyBytes)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      let refused = false
      req.on('data', (c: Buffer) => {
        if (refused) return
        size += c.length
        if (size > limits.maxBodyBytes) {
          refused = true
          chunks.length = 0
          tooLarge(res, limits.maxBodyBytes)
          return
        }
        chunks.push(c)
      })
      req.on('end', () => {
        if (!refused) void handle(Buffer.concat(chunks).toString('utf8'))
      })
      const handle = async (text: string) => {
        let body: JsonObject
        try {
          body = JSON.parse(text)
          keepPayloadDigits(text, body)
        } catch (err) {
          send(res, 400, { error: `Error in $: ${(err as Error).message}`, path: '$', code: 'invalid-json' })
          return
        }
        try {
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            throw new ApiError(400, 'parse-failed', 'expecting an object for query', '$')
          const result =
            endpoint === 'graphql'
              ? await graphql(core, body)
              : await dispatch(core, endpoint, body, sessionOf(req), requestTraceContext(req.headers))
          send(res, 200, result)
        } catch (err) {
          if (err instanceof ApiError) {
            send(res, err.status, err.body())
            return
          }
          opts.log(`internal error: ${(err as Error).stack ?? String(err)}`)
          send(res, 500, { error: 'unexpected error', path: '$', code: 'unexpected' })
        }
      }
    },
  )
  // a client that stops sending: its socket does not stay open for ever
  server.keepAliveTimeout = 5_000
  return server
}

/** /v1/graphql: schema introspection only (column types for scaffolding). */
async function graphql(core: Core, body: JsonObject): Promise<unknown> {
  if (typeof body.query === 'string' && body.query.includes('__schema'))
    return introspection(core.db, core.state.metadata)
  return {
    errors: [
      {
        message: 'the embedded engine answers only schema introspection on /v1/graphql',
        extensions: { path: '$', code: 'not-supported' },
      },
    ],
  }
}

async function dispatch(
  core: Core,
  endpoint: 'metadata' | 'query' | 'legacy',
  body: JsonObject,
  session: Record<string, string>,
  traceContext: TraceContext,
) {
  if (typeof body.type !== 'string') throw new ApiError(400, 'parse-failed', 'key "type" not found', '$')
  const type = body.type
  if (endpoint === 'query' && !QUERY_V2.has(type))
    throw new ApiError(400, 'parse-failed', `unknown query type "${type}"`, '$.type')
  if (endpoint === 'metadata' && METADATA_ONLY.has(type))
    throw new ApiError(400, 'parse-failed', `unknown metadata command "${type}"`, '$.type')
  if (type === 'bulk' || type === 'bulk_keep_going') {
    if (!Array.isArray(body.args))
      throw new ApiError(400, 'parse-failed', 'parsing [] failed, expected Array', '$.args')
    const results: unknown[] = []
    // bulk is all or nothing for the metadata: a failure puts back what the earlier commands changed
    const before = type === 'bulk' ? core.snapshot() : undefined
    for (const [i, q] of (body.args as JsonObject[]).entries()) {
      try {
        if (typeof q !== 'object' || q === null)
          throw new ApiError(400, 'parse-failed', 'expecting an object', `$.args[${i}]`)
        results.push(
          await dispatch(
            core,
            endpoint,
            { ...q, resource_version: i === 0 ? body.resource_version : undefined },
            session,
            traceContext,
          ),
        )
      } catch (err) {
        if (type === 'bulk') {
          if (before) await core.restore(before)
          throw err
        }
        if (err instanceof ApiError) results.push(err.body())
        else throw err
      }
    }
    return results
  }
  if (endpoint === 'legacy' && type === 'insert') return legacyInsert(core, body.args)
  try {
    return await runCommand(core, type, body.args, body, session, traceContext)
  } catch (err) {
    if (endpoint === 'metadata' && err instanceof ApiError && err.fromArgs) {
      const cmd = type.replace(/^(pg|citus|cockroach|mssql|bigquery)_/, '')
      throw new ApiError(
        err.status,
        err.code,
        `Error when parsing command ${cmd}.\nSee our documentation at https://hasura.io/docs/latest/graphql/core/api-reference/metadata-api/index.html#metadata-apis.\nInternal error message: ${err.message}`,
        err.path,
        err.internal,
      )
    }
    // /v1/query reports an argument parse failure at the root
    if (endpoint === 'legacy' && err instanceof ApiError && err.fromArgs)
      throw new ApiError(err.status, err.code, err.message, '$', err.internal)
    throw err
  }
}

/** /v1/query `insert` (used by Hasura's fixtures): a plain INSERT with the admin session set. */
const legacyInsertArgs = z
  .object({
    table: qualifiedTable,
    objects: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .loose()

async function legacyInsert(core: Core, args: unknown) {
  const p = parseWith(legacyInsertArgs, args)
  const t = p.table
  const objects = p.objects
  let affected = 0
  for (const o of objects) {
    const cols = Object.keys(o)
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`
    const sql = `INSERT INTO ${q(t.schema ?? 'public')}.${q(t.name)} (${cols.map(q).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`
    await core.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('hasura.user', $1, true)`, [
        JSON.stringify({ 'x-hasura-role': 'admin' }),
      ])
      await tx.query(
        sql,
        cols.map((c) => o[c]),
      )
    })
    affected++
  }
  return { affected_rows: affected, returning: [] }
}
