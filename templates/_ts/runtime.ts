/**
 * What every webhook route shares: the shared-secret check, body validation, dispatch, logging and
 * the mapping of outcomes onto Hasura's delivery rules (hasura/graphql-engine, Eventing/EventTrigger.hs):
 * - success is 2xx only; every other status is retried while retries remain;
 * - a `Retry-After` header (seconds) on a failed response sets the next attempt's delay;
 * - so a failure that must not be retried answers 200 with { ok: false, retry: false }.
 * Delivery is at least once: use ctx.idempotencyKey (the event id) to make handlers idempotent.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import {
  safeEqual,
  verifyGithub,
  verifyHmacSha256,
  verifyStandardWebhook,
  verifyStripe,
  type VerifyResult,
} from './signatures.js'

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
export const jsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
)

/** A GeoJSON position: longitude, latitude and maybe altitude; empty in an empty geometry. */
export type GeoJsonPosition = number[]
/** The `crs` member PostGIS writes when the geometry has an SRID: { type: 'name', properties: { name } } */
type GeoJsonCrs = { type: string; properties: { [key: string]: Json } }
/**
 * What Hasura sends for a PostGIS geometry or geography column: ST_AsGeoJSON(column, 15, 4), a
 * GeoJSON geometry (RFC 7946) with a `crs` member when the SRID is set. Narrow on `type`.
 */
export type GeoJsonGeometry = (
  | { type: 'Point'; coordinates: GeoJsonPosition }
  | { type: 'MultiPoint'; coordinates: GeoJsonPosition[] }
  | { type: 'LineString'; coordinates: GeoJsonPosition[] }
  | { type: 'MultiLineString'; coordinates: GeoJsonPosition[][] }
  | { type: 'Polygon'; coordinates: GeoJsonPosition[][] }
  | { type: 'MultiPolygon'; coordinates: GeoJsonPosition[][][] }
  | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] }
) & { crs?: GeoJsonCrs; bbox?: number[] }
const position = z.array(z.number())
const geoJsonMembers = {
  crs: z.object({ type: z.string(), properties: z.record(z.string(), jsonValue) }).optional(),
  bbox: z.array(z.number()).optional(),
}
export const geoJsonGeometry: z.ZodType<GeoJsonGeometry> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('Point'), coordinates: position, ...geoJsonMembers }),
    z.object({ type: z.literal('MultiPoint'), coordinates: z.array(position), ...geoJsonMembers }),
    z.object({ type: z.literal('LineString'), coordinates: z.array(position), ...geoJsonMembers }),
    z.object({ type: z.literal('MultiLineString'), coordinates: z.array(z.array(position)), ...geoJsonMembers }),
    z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)), ...geoJsonMembers }),
    z.object({
      type: z.literal('MultiPolygon'),
      coordinates: z.array(z.array(z.array(position))),
      ...geoJsonMembers,
    }),
    z.object({ type: z.literal('GeometryCollection'), geometries: z.array(geoJsonGeometry), ...geoJsonMembers }),
  ]),
)

export type Outcome =
  | { kind: 'ok'; body?: Json }
  | { kind: 'fail'; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'retry-after'; seconds: number; reason: string }

/** Done: Hasura marks the event delivered. */
export const ok = (body?: Json): Outcome => (body === undefined ? { kind: 'ok' } : { kind: 'ok', body })
/** A permanent failure: answered 200 so Hasura does not retry it; logged as failed. */
export const fail = (reason: string): Outcome => ({ kind: 'fail', reason })
/** A temporary failure: answered 500, Hasura retries after the trigger's interval while retries remain. */
export const retry = (reason: string): Outcome => ({ kind: 'retry', reason })
/** Try again in `seconds`: answered 503 with Retry-After, which Hasura honours even when retries are used up. */
export const retryAfter = (seconds: number, reason = 'retry later'): Outcome => ({
  kind: 'retry-after',
  seconds: Math.max(1, Math.ceil(seconds)),
  reason,
})

export type HandlerResult = Outcome | undefined | Promise<Outcome | undefined>

export type Headers = Record<string, string | string[] | undefined>

export interface Reply {
  status: number
  headers: Record<string, string>
  body: Json
}

export interface Logger {
  (message: string, fields?: Record<string, unknown>): void
}

export interface EventContext {
  /** the Hasura event id: deliveries are at least once, so key side effects on it */
  idempotencyKey: string
  eventId: string
  trigger: string
  op: string
  /** 1 for the first delivery (delivery_info.current_retry + 1) */
  attempt: number
  maxRetries: number
  createdAt: string
  table: { schema: string; name: string }
  headers: Headers
  log: Logger
}

export interface CronContext {
  /** the scheduled event id */
  idempotencyKey: string
  eventId: string
  cron: string
  scheduledTime: string
  headers: Headers
  log: Logger
}

export interface ExternalContext {
  /** the provider's delivery id (Stripe event id, X-GitHub-Delivery, webhook-id) or the body's sha256 */
  idempotencyKey: string
  provider: string
  webhook: string
  headers: Headers
  rawBody: Buffer
  log: Logger
}

export interface SecretHeader {
  header: string
  env: string
}

export interface EventRoute<P> {
  trigger: string
  secrets: SecretHeader[]
  schema: z.ZodType<P>
  /** retry: { backoff: 'exponential' } in webhooks.config.ts */
  backoff?: { intervalSec: number; maxIntervalSec: number }
  dispatch: (payload: P, ctx: EventContext) => HandlerResult
}

/**
 * Exponential backoff through Hasura: it retries at a fixed interval but honours Retry-After, even
 * past num_retries, so the header is only sent while retries remain (docs/retries.md).
 */
function backoffSeconds(
  backoff: { intervalSec: number; maxIntervalSec: number } | undefined,
  delivery: { current_retry: number; max_retries: number },
): number | undefined {
  if (!backoff || delivery.current_retry >= delivery.max_retries) return undefined
  const wanted = backoff.intervalSec * 2 ** Math.max(0, delivery.current_retry)
  return Math.max(1, Math.min(backoff.maxIntervalSec, Math.round(wanted)))
}

export interface CronRoute<P> {
  cron: string
  secrets: SecretHeader[]
  schema: z.ZodType<P>
  handle: (payload: P, ctx: CronContext) => HandlerResult
}

export type Provider = 'stripe' | 'github' | 'standard-webhooks' | 'hmac-sha256'

export interface ExternalRoute<E> {
  webhook: string
  provider: Provider
  secretEnv: string
  /** lower-case name of the header holding the signature */
  signatureHeader: string
  toleranceSec: number
  schema: z.ZodType<E>
  handle: (event: E, ctx: ExternalContext) => HandlerResult
}

export interface IncomingRequest {
  headers: Headers
  /** the raw body (Buffer or string) when the framework kept it, else the parsed JSON */
  body: unknown
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

function rawOf(body: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array) return Buffer.from(body)
  return undefined
}

type Parsed = { ok: true; value: unknown } | { ok: false; reply: Reply }

function parseJson(body: unknown): Parsed {
  const raw = rawOf(body)
  if (!raw) {
    if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) {
      return { ok: false, reply: reply(400, { ok: false, error: 'empty body: expected JSON' }) }
    }
    return { ok: true, value: body }
  }
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) }
  } catch {
    return { ok: false, reply: reply(400, { ok: false, error: 'body is not valid JSON' }) }
  }
}

function reply(status: number, body: Json, headers: Record<string, string> = {}): Reply {
  return { status, headers, body }
}

/** Where the runtime's log records go: `level` is also in the record, with `msg` and the delivery's fields. */
export type LogSink = (level: 'info' | 'warn', record: Record<string, unknown>) => void

/** By default one JSON line per record on stdout. */
let sink: LogSink = (_level, record) => console.log(JSON.stringify({ time: new Date().toISOString(), ...record }))

/** Sends the runtime's records (and ctx.log) to a framework's logger instead, e.g. Nest's Logger. */
export function setLogSink(next: LogSink): void {
  sink = next
}

function log(fields: Record<string, unknown>): void {
  sink(fields.level === 'warn' ? 'warn' : 'info', fields)
}

function logger(base: Record<string, unknown>): Logger {
  return (message, fields) => log({ level: 'info', msg: message, ...base, ...fields })
}

/** Compares every configured secret header with the value of its env var, in constant time. */
function checkSecrets(secrets: SecretHeader[], headers: Headers): Reply | undefined {
  for (const s of secrets) {
    const expected = process.env[s.env]
    if (!expected) {
      // fail closed: a missing env var must not open the route; 500 so Hasura retries once it is fixed
      return reply(500, { ok: false, retry: true, error: `${s.env} is not set in the service environment` })
    }
    if (!safeEqual(header(headers, s.header) ?? '', expected)) {
      return reply(401, { ok: false, error: `invalid ${s.header}` })
    }
  }
  return undefined
}

function invalid(error: z.ZodError): Reply {
  const issues = error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
  return reply(400, { ok: false, error: 'payload does not match the expected shape', issues })
}

function toReply(outcome: Outcome | undefined): Reply {
  const o = outcome ?? { kind: 'ok' }
  switch (o.kind) {
    case 'ok':
      return reply(200, o.body === undefined ? { ok: true } : { ok: true, result: o.body })
    case 'fail':
      return reply(200, { ok: false, retry: false, error: o.reason })
    case 'retry':
      return reply(500, { ok: false, retry: true, error: o.reason })
    case 'retry-after':
      return reply(503, { ok: false, retry: true, error: o.reason }, { 'Retry-After': String(o.seconds) })
  }
}

async function run<C>(
  fn: (ctx: C) => HandlerResult,
  ctx: C,
  fields: Record<string, unknown>,
  started: number,
  backoffSec?: number,
): Promise<Reply> {
  let r: Reply
  let error: string | undefined
  try {
    r = toReply(await fn(ctx))
  } catch (err) {
    error = err instanceof Error ? err.message : String(err)
    r = reply(500, { ok: false, retry: true, error: 'handler failed' })
  }
  // a retryable failure without its own Retry-After waits the backoff
  if (backoffSec !== undefined && r.status === 500)
    r = reply(503, r.body, { ...r.headers, 'Retry-After': String(backoffSec) })
  const outcome = r.status === 200 ? (r.body as { ok?: boolean }).ok === false ? 'failed' : 'ok' : 'retry'
  log({
    level: r.status === 200 && outcome === 'ok' ? 'info' : 'warn',
    msg: 'webhook handled',
    ...fields,
    status: r.status,
    outcome,
    ...(error ? { error } : {}),
    ...(r.status >= 400 || outcome === 'failed' ? { reason: (r.body as { error?: string }).error } : {}),
    duration_ms: Math.round(performance.now() - started),
  })
  return r
}

/** One Hasura event trigger delivery: secret → JSON → schema → dispatch by op → status for Hasura. */
export async function handleEvent<P extends EventShape>(route: EventRoute<P>, req: IncomingRequest): Promise<Reply> {
  const started = performance.now()
  const denied = checkSecrets(route.secrets, req.headers)
  if (denied) {
    log({ level: 'warn', msg: 'webhook rejected', trigger: route.trigger, status: denied.status, reason: denied.body })
    return denied
  }
  const parsed = parseJson(req.body)
  if (!parsed.ok) return rejected(parsed.reply, { trigger: route.trigger })
  const result = route.schema.safeParse(parsed.value)
  if (!result.success) return rejected(invalid(result.error), { trigger: route.trigger, ...eventFields(parsed.value) })
  const p = result.data
  const fields = {
    event_id: p.id,
    trigger: route.trigger,
    op: p.event.op,
    attempt: p.delivery_info.current_retry + 1,
    max_retries: p.delivery_info.max_retries,
  }
  const ctx: EventContext = {
    idempotencyKey: p.id,
    eventId: p.id,
    trigger: route.trigger,
    op: p.event.op,
    attempt: p.delivery_info.current_retry + 1,
    maxRetries: p.delivery_info.max_retries,
    createdAt: p.created_at,
    table: p.table,
    headers: req.headers,
    log: logger(fields),
  }
  return run((c) => route.dispatch(p, c), ctx, fields, started, backoffSeconds(route.backoff, p.delivery_info))
}

interface EventShape {
  id: string
  created_at: string
  table: { schema: string; name: string }
  event: { op: string }
  delivery_info: { current_retry: number; max_retries: number }
}

function eventFields(value: unknown): Record<string, unknown> {
  const v = (value ?? {}) as { id?: unknown; event?: { op?: unknown } }
  return { event_id: typeof v.id === 'string' ? v.id : undefined, op: v.event?.op }
}

function rejected(r: Reply, fields: Record<string, unknown>): Reply {
  log({ level: 'warn', msg: 'webhook rejected', ...fields, status: r.status, reason: r.body })
  return r
}

/** One cron delivery: secret → JSON → schema → handler. */
export async function handleCron<P extends { id: string; scheduled_time: string }>(
  route: CronRoute<P>,
  req: IncomingRequest,
): Promise<Reply> {
  const started = performance.now()
  const denied = checkSecrets(route.secrets, req.headers)
  if (denied) return rejected(denied, { cron: route.cron })
  const parsed = parseJson(req.body)
  if (!parsed.ok) return rejected(parsed.reply, { cron: route.cron })
  const result = route.schema.safeParse(parsed.value)
  if (!result.success) return rejected(invalid(result.error), { cron: route.cron })
  const p = result.data
  const fields = { event_id: p.id, cron: route.cron, scheduled_time: p.scheduled_time }
  const ctx: CronContext = {
    idempotencyKey: p.id,
    eventId: p.id,
    cron: route.cron,
    scheduledTime: p.scheduled_time,
    headers: req.headers,
    log: logger(fields),
  }
  return run((c) => route.handle(p, c), ctx, fields, started)
}

function verify(route: ExternalRoute<unknown>, raw: Buffer, headers: Headers): VerifyResult {
  const secret = process.env[route.secretEnv] ?? ''
  const opts = { toleranceSec: route.toleranceSec }
  switch (route.provider) {
    case 'stripe':
      return verifyStripe(raw, headers[route.signatureHeader], secret, opts)
    case 'github':
      return verifyGithub(raw, headers[route.signatureHeader], secret)
    case 'standard-webhooks':
      return verifyStandardWebhook(
        raw,
        { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
        secret,
        opts,
      )
    case 'hmac-sha256':
      return verifyHmacSha256(raw, headers[route.signatureHeader], secret)
  }
}

function deliveryId(route: ExternalRoute<unknown>, headers: Headers, event: unknown, raw: Buffer): string {
  const id =
    route.provider === 'stripe'
      ? (event as { id?: unknown }).id
      : route.provider === 'github'
        ? header(headers, 'x-github-delivery')
        : route.provider === 'standard-webhooks'
          ? header(headers, 'webhook-id')
          : undefined
  return typeof id === 'string' && id ? id : createHash('sha256').update(raw).digest('hex')
}

/** A webhook from another service: signature over the raw body → JSON → schema → handler. */
export async function handleExternal<E>(route: ExternalRoute<E>, req: IncomingRequest): Promise<Reply> {
  const started = performance.now()
  const raw = rawOf(req.body)
  if (!raw) {
    return rejected(reply(500, { ok: false, retry: true, error: 'raw body unavailable: signatures need the exact bytes' }), {
      webhook: route.webhook,
    })
  }
  if (!process.env[route.secretEnv]) {
    return rejected(reply(500, { ok: false, retry: true, error: `${route.secretEnv} is not set in the service environment` }), {
      webhook: route.webhook,
    })
  }
  const verified = verify(route as ExternalRoute<unknown>, raw, req.headers)
  if (!verified.ok) return rejected(reply(401, { ok: false, error: verified.reason }), { webhook: route.webhook })
  const parsed = parseJson(raw)
  if (!parsed.ok) return rejected(parsed.reply, { webhook: route.webhook })
  const result = route.schema.safeParse(parsed.value)
  if (!result.success) return rejected(invalid(result.error), { webhook: route.webhook })
  const key = deliveryId(route as ExternalRoute<unknown>, req.headers, result.data, raw)
  const fields = { event_id: key, webhook: route.webhook, provider: route.provider }
  const ctx: ExternalContext = {
    idempotencyKey: key,
    provider: route.provider,
    webhook: route.webhook,
    headers: req.headers,
    rawBody: raw,
    log: logger(fields),
  }
  return run((c) => route.handle(result.data, c), ctx, fields, started)
}

/** The minimum of a Stripe event; the object's fields depend on `type`. */
export interface StripeEvent {
  id: string
  type: string
  created: number
  livemode: boolean
  data: { object: { [key: string]: Json }; previous_attributes?: { [key: string]: Json } }
}
export const StripeEventSchema: z.ZodType<StripeEvent> = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number(),
  livemode: z.boolean(),
  data: z.object({
    object: z.record(z.string(), jsonValue),
    previous_attributes: z.record(z.string(), jsonValue).optional(),
  }),
})

/** A Standard Webhooks message: `type`, `timestamp` and `data`. */
export interface StandardWebhookEvent {
  type: string
  timestamp: string
  data: { [key: string]: Json }
}
export const StandardWebhookEventSchema: z.ZodType<StandardWebhookEvent> = z.object({
  type: z.string(),
  timestamp: z.string(),
  data: z.record(z.string(), jsonValue),
})

/** A GitHub delivery: the event name is in ctx.headers['x-github-event']. */
export type GithubEvent = { [key: string]: Json }
export const GithubEventSchema: z.ZodType<GithubEvent> = z.record(z.string(), jsonValue)

export type HmacEvent = Json
export const HmacEventSchema: z.ZodType<HmacEvent> = jsonValue
